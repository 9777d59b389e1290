import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { startTestGateway } from './harness.ts';

describe('GraphQL over HTTP conformance (graphql-http audit)', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('has no audit result of status "error"', async () => {
    const results = await auditServer({ url: gateway.url });
    const errors = results.filter((result) => result.status === 'error');
    const described = await Promise.all(errors.map(async (e) => `${e.id} ${e.name}: ${'reason' in e ? e.reason : ''}`));
    expect(described).toEqual([]);
    expect(results.filter((r) => r.status === 'ok').length).toBeGreaterThan(10);
  });
});

describe('GraphiQL', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('is served at GET /graphql to browsers, with every asset from this server (no CDN)', async () => {
    const page = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    // The icon is inline, as in the console: a browser asks for no /favicon.ico, which would be a 404.
    expect(html).toMatch(/<link rel="icon" href="data:image\/svg\+xml,/);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((a) => !a.startsWith('data:'));
    expect(assets.length).toBe(4);
    for (const asset of assets) {
      expect(asset.startsWith('/')).toBe(true);
      const response = await fetch(new URL(asset, gateway.url));
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(1000);
    }
  });

  it('serves the same icon at /favicon.ico, which browsers ask for on pages that name none (JSON answers, /metrics)', async () => {
    const icon = await fetch(new URL('/favicon.ico', gateway.url));
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await icon.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg".*<circle .*<\/svg>$/);
  });

  it('leaves GET /graphql?query=... to the GraphQL endpoint (with the CSRF preflight header)', async () => {
    const response = await fetch(`${gateway.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
