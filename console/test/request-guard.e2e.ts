// Attacks on the console's routes: cross-site writes (CSRF, including through Remix's `?_data=` requests),
// framing, oversized bodies and bulk actions that would fan out without bound.
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../gateway/test/harness.ts';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { MAX_BULK_ITEMS } from '../app/lib/forms.server.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';
import { CookieJar, openForToken, postForm } from './console-http.ts';
import { failOnBrowserErrors, startConsoleInProcess } from './console-session.ts';

let gateway: RunningGateway;
let base: string;
let incidentId: string;
let attacker: Server;
let attackerBase: string;
/** What the attacker's page serves next (a form, or a frame). */
let attackerHtml = '';

const INCIDENT_ROUTE = 'routes/incidents.$id';

async function timelineMessages(id: string): Promise<string[]> {
  const answer = await gql<{ incident: { timeline: { nodes: { message: string }[] } } }>(gateway.url, `query($id: ID!) { incident(id: $id) { timeline(first: 50) { nodes { message } } } }`, { id });
  return answer.data!.incident.timeline.nodes.map((n) => n.message);
}

async function incidentStatus(id: string): Promise<string> {
  const answer = await gql<{ incident: { status: string } }>(gateway.url, `query($id: ID!) { incident(id: $id) { status } }`, { id });
  return answer.data!.incident.status;
}

beforeAll(async () => {
  ({ gateway, base } = await startConsoleInProcess());
  const open = await gql<{ incidents: { nodes: { id: string }[] } }>(gateway.url, '{ incidents(filter: { statuses: [TRIGGERED] }, first: 1) { nodes { id } } }');
  incidentId = open.data!.incidents.nodes[0]!.id;
  // The attacker's site: another origin (localhost is another site than 127.0.0.1 for the browser).
  attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackerHtml));
  attacker.listen(0, '127.0.0.1');
  await once(attacker, 'listening');
  attackerBase = `http://localhost:${(attacker.address() as AddressInfo).port}`;
}, 240_000);

afterAll(async () => {
  attacker?.close();
  await gateway?.close();
});

describe('cross-site request forgery', () => {
  const incidentPath = () => `/incidents/${encodeURIComponent(incidentId)}`;

  it('refuses a cross-site form POST through Remix data requests (?_data=) and without them, and writes nothing', async () => {
    const crossSite = { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' };
    const note = `forged ${Date.now()}`;
    const viaData = await postForm(base, incidentPath(), { intent: 'note', idempotencyKey: `a-${Date.now()}`, body: note }, { headers: crossSite, dataRoute: INCIDENT_ROUTE });
    expect(viaData.status).toBe(403);
    // A foreign Origin is refused by the host allow-list in front of every route, before the console's guard.
    expect(await viaData.text()).toMatch(/cross-site protection/);
    // Without an Origin, the browser's Sec-Fetch-Site alone is enough for the console's guard to refuse.
    const viaFetchMetadata = await postForm(base, incidentPath(), { intent: 'note', idempotencyKey: `m-${Date.now()}`, body: note }, { headers: { 'sec-fetch-site': 'cross-site' }, dataRoute: INCIDENT_ROUTE });
    expect(viaFetchMetadata.status).toBe(403);
    expect(await viaFetchMetadata.text()).toMatch(/refused because the browser marked it cross-site/);
    const viaDocument = await postForm(base, incidentPath(), { intent: 'note', idempotencyKey: `b-${Date.now()}`, body: note }, { headers: crossSite });
    expect(viaDocument.status).toBe(403);
    const viaSingleFetch = await postForm(base, incidentPath(), { intent: 'note', idempotencyKey: `s-${Date.now()}`, body: note }, { headers: crossSite, singleFetch: true });
    expect(viaSingleFetch.status).toBe(403);
    // An Origin alone (older browsers send no Sec-Fetch-Site) is checked against the Host too.
    const viaOrigin = await postForm(base, incidentPath(), { intent: 'note', idempotencyKey: `c-${Date.now()}`, body: note }, { headers: { origin: 'http://evil.example' }, dataRoute: INCIDENT_ROUTE });
    expect(viaOrigin.status).toBe(403);
    expect(await timelineMessages(incidentId)).not.toContain(note);
  });

  it('refuses a form without this browser’s CSRF token, and takes the same form with it', async () => {
    const jar = new CookieJar();
    const token = await openForToken(base, incidentPath(), jar);
    const note = `with token ${Date.now()}`;
    const missing = await postForm(base, incidentPath(), { intent: 'note', idempotencyKey: `d-${Date.now()}`, body: note }, { jar, dataRoute: INCIDENT_ROUTE });
    expect(missing.status).toBe(403);
    expect(await missing.text()).toMatch(/security token is missing or stale/);
    // A token from another browser (another cookie) does not fit this one's cookie.
    const otherToken = await openForToken(base, incidentPath(), new CookieJar());
    const foreign = await postForm(base, incidentPath(), { intent: 'note', idempotencyKey: `e-${Date.now()}`, body: note, csrf: otherToken }, { jar, dataRoute: INCIDENT_ROUTE });
    expect(foreign.status).toBe(403);
    expect(await timelineMessages(incidentId)).not.toContain(note);

    const accepted = await postForm(base, incidentPath(), { intent: 'note', idempotencyKey: `f-${Date.now()}`, body: note, csrf: token }, { jar, singleFetch: true, headers: { origin: base } });
    expect(accepted.status).toBeLessThan(400);
    expect(await timelineMessages(incidentId)).toContain(note);
  });

  it('sends frame-ancestors none and X-Frame-Options on every page', async () => {
    const response = await fetch(`${base}/incidents`);
    expect(response.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  describe('in Chromium', () => {
    let browser: TestBrowser;
    beforeAll(async () => {
      browser = await launchBrowser();
    }, 60_000);
    afterAll(() => browser?.close());
    failOnBrowserErrors(() => browser);

    it('a page on another site that auto-submits a form to a console data route writes nothing', async () => {
      const page = await browser.newPage();
      // The console has been visited in this browser (it holds the console's cookies), as a victim's would.
      await page.goto(`${base}${incidentPath()}`, { waitUntil: 'networkidle' });
      const note = `forged in the browser ${Date.now()}`;
      const target = `${base}${incidentPath()}?_data=${encodeURIComponent(INCIDENT_ROUTE)}`;
      attackerHtml = `<form id="f" method="post" action="${target}"><input name="intent" value="note"><input name="idempotencyKey" value="x-${Date.now()}"><input name="body" value="${note}"></form><script>document.getElementById('f').submit()</script>`;
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().startsWith(target)), page.goto(`${attackerBase}/`)]);
      expect(response.status()).toBe(403);
      expect(await timelineMessages(incidentId)).not.toContain(note);
      await page.close();
      // The browser shows the refusal (403) as a failed resource: expected here, and only here.
      browser.consoleErrors.splice(0, browser.consoleErrors.length, ...browser.consoleErrors.filter((e) => !(e.startsWith(target) && /status of 403/.test(e))));
    });

    it('the console cannot be framed by another site (clickjacking)', async () => {
      const page = await browser.newPage();
      attackerHtml = `<iframe id="console" src="${base}${incidentPath()}" width="800" height="600"></iframe>`;
      const blocked = page.waitForEvent('console', (m) => /frame-ancestors|X-Frame-Options/.test(m.text()));
      await page.goto(`${attackerBase}/`);
      await blocked;
      const frame = page.frames().find((f) => f !== page.mainFrame());
      // Chromium shows its own error document instead of the console.
      expect(await frame?.locator('button', { hasText: 'Acknowledge' }).count()).toBe(0);
      await page.close();
      // Chromium reports the refused frame on the attacker's page: expected here, and only here.
      browser.consoleErrors.splice(0, browser.consoleErrors.length, ...browser.consoleErrors.filter((e) => !e.startsWith(attackerBase)));
    });
  });
});

describe('request bodies and bulk actions', () => {
  it('answers 413 with a clear page to a huge form without reading it', async () => {
    const declared = 150 * 1024 * 1024;
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${base}/incidents/${encodeURIComponent(incidentId)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(declared) },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      // Only the first 64 KiB are ever sent: the answer must come without the rest.
      req.write('intent=note&body=' + 'a'.repeat(64 * 1024));
    });
    expect(status).toBe(413);
    expect(body).toMatch(/The form sent 153600 KiB; the console accepts at most 1024 KiB/);
  });

  it('refuses a huge form sent from a console page in the action, unread, with a message for the page', async () => {
    const jar = new CookieJar();
    const token = await openForToken(base, `/incidents/${encodeURIComponent(incidentId)}`, jar);
    const response = await postForm(base, `/incidents/${encodeURIComponent(incidentId)}`, { intent: 'note', idempotencyKey: `big-${Date.now()}`, body: 'a'.repeat(1_100_000), csrf: token }, { jar, singleFetch: true });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.text()).toContain('The form is larger than the console accepts (1024 KiB).');
  });

  it('refuses a body without a declared length (chunked) before reading it', async () => {
    const response = await fetch(`${base}/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('intent=acknowledge'));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(411);
  });

  it(`caps a bulk action at ${MAX_BULK_ITEMS} items with a message, before any write`, async () => {
    const jar = new CookieJar();
    const token = await openForToken(base, '/incidents', jar);
    const ids = Array.from({ length: MAX_BULK_ITEMS + 400 }, () => incidentId);
    const response = await postForm(base, '/incidents?index', { intent: 'resolve', id: ids, idempotencyKey: `bulk-${Date.now()}`, csrf: token }, { jar, singleFetch: true });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(`Select at most ${MAX_BULK_ITEMS} incidents at a time`);
    expect(await incidentStatus(incidentId)).not.toBe('RESOLVED');
  });
});
