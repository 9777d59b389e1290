// The contract-fake helper itself, on a Swagger 2.0 document with examples (Slack's): what it accepts, what it
// refuses, and that it still serves a test in a clone without ../shared.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readVendorApi, vendorApiSkipNotice } from '../testing/vendor-api.ts';
import { startContractFake, startFakeFront, type ContractFake } from './contract-fake.ts';

const FIXTURES = join(import.meta.dirname, '__fixtures__');
let fake: ContractFake | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

const slack = (extra: Partial<Parameters<typeof startContractFake>[0]> = {}) =>
  // Slack's document lists `token` as a required header; the API takes `Authorization: Bearer` instead.
  startContractFake({ spec: 'slack.openapi.json', vendor: 'Slack', fixtures: FIXTURES, ignoreParameters: ['token'], ...extra });

const BEARER = { authorization: 'Bearer xoxb-test' };
/** The checks themselves need Slack's document from ../shared; a clone without it runs the rest and says so. */
const checking = readVendorApi('slack.openapi.json') !== undefined;
if (!checking) console.log(`[contract fake test] ${vendorApiSkipNotice('slack.openapi.json')}`);

describe('contract fake', () => {
  it('serves the test\'s answers under the spec\'s base path, from the spec\'s examples', async () => {
    fake = await slack();
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    const example = fake.example<{ ok: boolean; channels: { id: string }[] }>('GET /conversations.list');
    expect(example.ok).toBe(true);
    fake.on('GET /conversations.list', () => ({ body: example }));
    const answer = await fetch(`${fake.url}/conversations.list?limit=2&exclude_archived=true`, { headers: BEARER });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual(example);
    expect(fake.requests.map((r) => r.route)).toEqual(['GET /conversations.list']);
    fake.verify();
  });

  it.skipIf(!checking)('fails the test on a request the real API would refuse: unknown operation, wrong type, missing field or credentials', async () => {
    fake = await slack();
    fake.on('GET /conversations.list', () => ({ body: fake!.example('GET /conversations.list') }));
    fake.on('POST /chat.postMessage', () => ({ body: fake!.example('POST /chat.postMessage') }));
    expect((await fetch(`${fake.url}/conversations.lists`, { headers: BEARER })).status).toBe(404);
    expect((await fetch(`${fake.url}/conversations.list?limit=many`, { headers: BEARER })).status).toBe(400);
    expect((await fetch(`${fake.url}/conversations.list`)).status).toBe(400);
    const form = { ...BEARER, 'content-type': 'application/x-www-form-urlencoded' };
    expect((await fetch(`${fake.url}/chat.postMessage`, { method: 'POST', headers: form, body: 'text=hello' })).status).toBe(400);
    expect((await fetch(`${fake.url}/chat.postMessage`, { method: 'POST', headers: form, body: 'channel=C123&text=hello' })).status).toBe(200);
    expect(fake.violations).toEqual([
      expect.stringContaining('GET /api/conversations.lists: not an operation of the Slack API'),
      expect.stringMatching(/GET \/api\/conversations\.list \(GET \/conversations\.list\) would be refused by Slack: query parameter\/limit must be integer/),
      expect.stringContaining('no credentials the API accepts (slackAuth)'),
      expect.stringContaining('body must have required property \'channel\''),
      // Slack's own example breaks its schema (its README: today's answers carry fields the 2020 document forbids).
      expect.stringContaining("the test's 200 answer to POST /chat.postMessage breaks the spec's schema: answer/message/attachments/0 must NOT have additional properties"),
    ]);
    expect(() => fake!.verify()).toThrow(/Slack contract fake saw 5 violation\(s\)/);
    expect(fake.violations).toEqual([]);
  });

  it.skipIf(!checking)('fails the test on an answer the spec forbids, and on an operation it does not serve', async () => {
    fake = await slack();
    fake.on('GET /users.info', () => ({ body: { ok: true, profile: { email: 'a@example.com' } } }));
    await fetch(`${fake.url}/users.info?user=U1`, { headers: BEARER });
    await fetch(`${fake.url}/auth.test`, { headers: BEARER });
    expect(fake.violations).toEqual([
      expect.stringContaining("the test's 200 answer to GET /users.info breaks the spec's schema: answer must have required property 'user'"),
      expect.stringContaining('GET /api/auth.test: the test serves no answer for GET /auth.test'),
    ]);
    expect(() => fake!.on('GET /nope', () => ({}))).toThrow('"GET /nope" is not an operation of slack.openapi.json');
    fake.violations.length = 0;
  });

  it.skipIf(!checking)('checks an answer against the documented response it names: Slack\'s ok:false errors travel with HTTP 200', async () => {
    fake = await slack();
    let error = 'channel_not_found';
    fake.on('GET /conversations.history', () => ({ body: { ok: false, error }, documentedAs: 'default' }));
    const answer = await fetch(`${fake.url}/conversations.history?channel=C0123456789`, { headers: BEARER });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ ok: false, error: 'channel_not_found' });
    expect(fake.violations).toEqual([]);
    error = 'no_such_error_code';
    await fetch(`${fake.url}/conversations.history?channel=C0123456789`, { headers: BEARER });
    expect(fake.violations).toEqual([expect.stringContaining("the test's 200 answer to GET /conversations.history breaks the spec's schema: answer/error must be equal to one of the allowed values")]);
    fake.violations.length = 0;
  });

  it('in a clone without ../shared, serves the same answers and examples and says the check was skipped', async () => {
    fake = await slack({ specDir: join(import.meta.dirname, 'no-such-folder') });
    expect(fake.validating).toBe(false);
    expect(fake.url).toMatch(/\/api$/);
    fake.on('GET /conversations.list', () => ({ body: fake!.example('GET /conversations.list') }));
    const answer = await fetch(`${fake.url}/conversations.list?limit=many`);
    expect(answer.status).toBe(200);
    expect((await answer.json()).ok).toBe(true);
    expect((await fetch(`${fake.url}/chat.postMessage`, { method: 'POST' })).status).toBe(404);
    expect(fake.violations).toEqual([expect.stringContaining('POST /api/chat.postMessage: not an operation of the Slack API')]);
    fake.violations.length = 0;
  });

  it.skipIf(!checking)('puts several fakes behind one origin by path prefix, each still checking its own requests', async () => {
    fake = await slack();
    fake.on('GET /conversations.list', () => ({ body: fake!.example('GET /conversations.list') }));
    const front = await startFakeFront({ '/api/': fake });
    try {
      const answer = await fetch(`${front.url}/api/conversations.list?limit=2`, { headers: BEARER });
      expect(answer.status).toBe(200);
      expect((await answer.json()).ok).toBe(true);
      expect((await fetch(`${front.url}/api/conversations.list?limit=many`, { headers: BEARER })).status).toBe(400);
      expect((await fetch(`${front.url}/other/path`)).status).toBe(404);
      expect(fake.requests.map((r) => r.route)).toEqual(['GET /conversations.list', 'GET /conversations.list']);
      expect(fake.violations).toEqual([expect.stringContaining('query parameter/limit must be integer')]);
      fake.violations.length = 0;
    } finally {
      await front.close();
    }
  });

  it('checks each value of a repeated parameter, follows references into responses, and applies a spec patch', async () => {
    // A small OAS 3.0 document with what PagerDuty's has: `statuses[]` typed as one value but repeated, a schema
    // that points into `components.responses`, and a field whose type the patch corrects.
    const dir = mkdtempSync(join(tmpdir(), 'contract-fake-'));
    const item = { type: 'object', properties: { id: { type: 'string' }, details: { type: 'object' } }, required: ['id'] };
    writeFileSync(
      join(dir, 'mini.openapi.json'),
      JSON.stringify({
        openapi: '3.0.2',
        info: { title: 'mini', version: '1' },
        paths: {
          '/things': {
            get: {
              parameters: [{ name: 'statuses[]', in: 'query', explode: true, schema: { type: 'string', enum: ['open', 'closed'] } }],
              responses: { '200': { content: { 'application/json': { schema: { type: 'object', properties: { things: { type: 'array', items: { $ref: '#/components/responses/Thing/content/application~1json/schema' } } } } } } } },
            },
          },
        },
        components: { schemas: {}, responses: { Thing: { description: 'a thing', content: { 'application/json': { schema: item } } } } },
      }),
    );
    fake = await startContractFake({ spec: 'mini.openapi.json', vendor: 'Mini', specDir: dir, patchSpec: (doc) => (doc.components.responses.Thing.content['application/json'].schema.properties.details = { type: 'string' }) });
    fake.on('GET /things', () => ({ body: { things: [{ id: 'a', details: 'text' }] } }));
    expect((await fetch(`${fake.url}/things?statuses[]=open&statuses[]=closed`)).status).toBe(200);
    expect(fake.violations).toEqual([]);
    expect((await fetch(`${fake.url}/things?statuses[]=open&statuses[]=gone`)).status).toBe(400);
    expect(fake.violations).toEqual([expect.stringContaining('query parameter/statuses[] must be equal to one of the allowed values')]);
    fake.violations.length = 0;
    fake.on('GET /things', () => ({ body: { things: [{ details: 'text' }] } }));
    await fetch(`${fake.url}/things`);
    expect(fake.violations).toEqual([expect.stringContaining("must have required property 'id'")]);
    fake.violations.length = 0;
  });
});

describe('contract fake on a whole vendor document from a package', () => {
  it('reads `specFile`, follows `$ref` examples, and commits only the `fixtureRoutes` examples', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'contract-fake-'));
    const document = {
      openapi: '3.0.3',
      info: { title: 'Tiny', version: '1' },
      servers: [{ url: 'https://api.tiny.example' }],
      paths: {
        '/issues/{n}': { get: { parameters: [{ name: 'n', in: 'path', required: true, schema: { type: 'integer' } }], responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/issue' }, examples: { default: { $ref: '#/components/examples/issue' } } } } } } } },
        '/teams': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'array' }, example: [{ slug: 'a' }] } } } } } },
      },
      components: {
        schemas: { issue: { type: 'object', required: ['number'], properties: { number: { type: 'integer' } } } },
        // GitHub's examples point at other examples.
        examples: { issue: { value: { $ref: '#/components/examples/issue-base' } }, 'issue-base': { value: { number: 7 } } },
      },
    };
    const specFile = join(dir, 'tiny.json');
    writeFileSync(specFile, JSON.stringify(document));
    const previous = process.env.UPDATE_FIXTURES;
    process.env.UPDATE_FIXTURES = 'true';
    try {
      fake = await startContractFake({ spec: 'tiny.openapi.json', vendor: 'Tiny', specFile, fixtures: dir, fixtureRoutes: ['GET /issues/{n}'] });
    } finally {
      if (previous === undefined) delete process.env.UPDATE_FIXTURES;
      else process.env.UPDATE_FIXTURES = previous;
    }
    expect(fake.validating).toBe(true);
    expect(fake.example('GET /issues/{n}')).toEqual({ number: 7 });
    expect(JSON.parse(readFileSync(join(dir, 'tiny.openapi.examples.json'), 'utf8'))).toEqual({ basePath: '', examples: { 'GET /issues/{n}': { '200': { number: 7 } } } });
    fake.on('GET /issues/{n}', () => ({ body: { number: 'seven' } }));
    await fetch(`${fake.url}/issues/x`);
    expect(fake.violations.join('\n')).toMatch(/path parameter\/n must be integer/);
    fake.violations.splice(0);
  });
});
