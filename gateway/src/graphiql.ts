import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';
import { FAVICON_HREF } from '@opsorch/console/brand';

const require = createRequire(import.meta.url);

/** GraphiQL's browser bundles, served from installed packages so it works with no network at all. */
const ASSETS: Record<string, string> = {
  'react.production.min.js': join(dirname(require.resolve('react/package.json')), 'umd', 'react.production.min.js'),
  'react-dom.production.min.js': join(dirname(require.resolve('react-dom/package.json')), 'umd', 'react-dom.production.min.js'),
  'graphiql.min.js': join(dirname(require.resolve('graphiql/package.json')), 'graphiql.min.js'),
  'graphiql.min.css': join(dirname(require.resolve('graphiql/package.json')), 'graphiql.min.css'),
};

export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

/**
 * The console's icon at /favicon.ico: browsers ask for it on every page that names none (a JSON answer of
 * /copilot or /api/v1, /metrics), and a 404 there is noise in every browser console.
 */
export function favicon(): Router {
  const svg = decodeURIComponent(FAVICON_HREF.slice(FAVICON_HREF.indexOf(',') + 1));
  return express.Router().get('/favicon.ico', (_req, res) => {
    res.type('image/svg+xml').set('cache-control', 'public, max-age=86400').send(svg);
  });
}

export function graphiqlAssets(): Router {
  const router = express.Router();
  for (const [name, path] of Object.entries(ASSETS)) {
    router.get(`${GRAPHIQL_ASSET_PREFIX}${name}`, (_req, res) => {
      res.sendFile(path, { maxAge: '1d', immutable: true });
    });
  }
  return router;
}

const DEFAULT_QUERY = `# Welcome to OpsOrch. Every answer comes live from the source tool, with a link back to it.
# The war-room view: open incidents, their service, owner team and who is on call,
# the service's firing alerts, its dependencies' health and the deploys in the hour before.
query WarRoom {
  incidents(filter: { statuses: [TRIGGERED, ACKNOWLEDGED] }, first: 5) {
    nodes {
      id
      title
      severity
      status
      startedAt
      url
      service {
        id
        name
        owner { name onCall { level user { name email } } }
        alerts(states: [FIRING]) { nodes { name severity summary } }
        dependencies { id health { status reason } }
      }
      deploymentsBefore(within: "1h") { version startedAt author { name } commit { shortSha message } }
      timeline(first: 3) { nodes { at kind message } }
    }
  }
}
`;

/** The GraphiQL page for GET /graphql from a browser. */
export function graphiqlPage(endpoint: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>OpsOrch · GraphiQL</title>
<link rel="icon" href="${FAVICON_HREF}" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<link rel="stylesheet" href="${GRAPHIQL_ASSET_PREFIX}graphiql.min.css" />
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${GRAPHIQL_ASSET_PREFIX}react.production.min.js"></script>
<script src="${GRAPHIQL_ASSET_PREFIX}react-dom.production.min.js"></script>
<script src="${GRAPHIQL_ASSET_PREFIX}graphiql.min.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(endpoint)} });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher, defaultQuery: ${JSON.stringify(DEFAULT_QUERY)}, defaultEditorToolsVisibility: true }),
  );
</script>
</body>
</html>`;
}
