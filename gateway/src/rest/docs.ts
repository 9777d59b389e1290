import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';
import { OPENAPI_PATH } from './router.ts';

const require = createRequire(import.meta.url);
const SWAGGER_UI = dirname(require.resolve('swagger-ui-dist/package.json'));

/** Where the API reference is served. */
export const DOCS_PATH = '/api/docs';

/** Swagger UI's files, served from the installed package (no CDN: the page works with no network at all). */
const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png'];

// In a file of its own rather than inline, so a strict Content-Security-Policy (script-src 'self') allows it.
const INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  persistAuthorization: true,
  displayRequestDuration: true,
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>OpsOrch · REST API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1" />
<link rel="icon" type="image/png" href="${DOCS_PATH}/assets/favicon-32x32.png" />
<link rel="stylesheet" href="${DOCS_PATH}/assets/swagger-ui.css" />
</head>
<body>
<div id="swagger-ui">Loading the API reference…</div>
<script src="${DOCS_PATH}/assets/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/assets/swagger-ui-standalone-preset.js"></script>
<script src="${DOCS_PATH}/assets/init.js"></script>
</body>
</html>`;

/** The API reference page (Swagger UI over /api/v1/openapi.json), public like the document it shows. */
export function apiDocs(): Router {
  const router = express.Router();
  router.get(DOCS_PATH, (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get(`${DOCS_PATH}/assets/init.js`, (_req, res) => {
    res.type('application/javascript').send(INIT);
  });
  for (const name of ASSETS) {
    router.get(`${DOCS_PATH}/assets/${name}`, (_req, res) => {
      res.sendFile(join(SWAGGER_UI, name), { maxAge: '1d', immutable: true });
    });
  }
  return router;
}
