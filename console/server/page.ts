// The plain pages the console serves outside Remix (building, refused requests, sign-in problems): small,
// self-contained HTML in the console's colours, with no script.
import { FAVICON_HREF } from '../app/lib/brand.ts';

export function plainPage(title: string, bodyHtml: string, options: { refreshSeconds?: number } = {}): string {
  const refresh = options.refreshSeconds ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
${refresh}<link rel="icon" href="${FAVICON_HREF}"><title>OpsOrch console — ${title.replace(/[<&]/g, '')}</title>
<style>body{font:14px system-ui,sans-serif;background:#0f1216;color:#d8dee6;display:grid;place-items:center;height:100vh;margin:0}
main{max-width:36rem}code,pre{font:12px ui-monospace,monospace;white-space:pre-wrap;color:#f3a0a0}a{color:#7cb7ff}
button{font:inherit;background:#2d6cdf;color:#fff;border:0;border-radius:4px;padding:.4rem .9rem;cursor:pointer}</style></head>
<body><main>${bodyHtml}</main></body></html>`;
}
