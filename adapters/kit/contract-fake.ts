// The contract-fake server every vendor adapter's tests share (test code; docs/adapter-guide.md). A fake serves
// the answers a test gives per operation, and checks both directions against the vendor's published OpenAPI
// document (Swagger 2.0 or OAS 3.0, ../shared/vendor-api): every request the adapter sends (method, path,
// parameters, credentials, body) must be one the real API accepts, and every answer the test serves must match
// the spec's response schema. Violations fail the test (`verify()`). Without ../shared beside the checkout the
// fake still serves the test's answers and fixtures, and says that the contract check was skipped.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import swagger2openapi from 'swagger2openapi';

import { VENDOR_API_DIR, vendorApiSkipNotice } from '../testing/vendor-api.ts';

/**
 * Gateway variables for a contract test that provokes the vendor's failures: a short deadline (a slow answer is
 * PROVIDER_TIMEOUT within a second), one attempt per read (each failure reaches the fake once, so calls can be
 * counted), and a breaker that never opens (one test's failures must not answer the next one's calls).
 */
export const CONTRACT_TEST_ENV = { OPSORCH_PROVIDER_TIMEOUT_MS: '1000', OPSORCH_PROVIDER_READ_ATTEMPTS: '1', OPSORCH_BREAKER_FAILURES: '1000' } as const;

/** Where the vendors' documents live: `../shared/vendor-api` beside the repository root. */
export { VENDOR_API_DIR };

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** A request as the fake received it. */
export interface FakeRequest {
  method: string;
  /** The path below the base path, for example `/alerts`. */
  path: string;
  /** The operation it matched: `GET /silence/{silenceID}` (the spec's template). */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON or form body; undefined when there is none. */
  body: unknown;
}

/** What a handler answers; JSON unless `raw` is given. */
export interface FakeReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A body sent as is (not JSON), for example an HTML error page of a proxy. */
  raw?: string;
  /**
   * The documented response the answer is checked against, when the wire status is not the one the spec keys it
   * by: Slack sends `{ ok: false, error }` with HTTP 200 and documents it as `default`.
   */
  documentedAs?: string;
}

export type FakeHandler = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface ContractFakeOptions {
  /** The vendor's document in ../shared/vendor-api, for example `alertmanager.openapi.json`. */
  spec: string;
  /** Names the vendor in messages. */
  vendor: string;
  /** Prefix of the spec's paths in the URL (default: the spec's `basePath` or its first server's path). */
  basePath?: string;
  /** Path parameters that may span several segments (Vault's KV `{path}`). */
  multiSegmentParams?: readonly string[];
  /**
   * Parameters the document requires but the real API does not (Slack's spec lists `token` as a required header
   * where the API takes `Authorization: Bearer`): say why beside the option.
   */
  ignoreParameters?: readonly string[];
  /**
   * Corrects a known error of the published document before it is used, where the vendor's own examples and API
   * contradict its schema (PagerDuty's `IncidentBody.details` is typed object; its example and API take a string):
   * say why beside the option.
   */
  patchSpec?: (document: Record<string, any>) => void;
  /** Folder of the vendors' documents (default ../shared/vendor-api). */
  specDir?: string;
  /**
   * The whole document as a file, when the slice in ../shared lacks operations the adapter uses and the vendor
   * publishes its document in a package (GitHub's `@octokit/openapi`, a devDependency): wins over `specDir`.
   */
  specFile?: string;
  /** Keeps the fixtures small for a document of a thousand operations: only these routes' examples are committed. */
  fixtureRoutes?: readonly string[];
  /**
   * A folder for the spec's response examples, committed with the tests (`example()` reads them there, so tests
   * run without ../shared). With the spec present they are checked against it; `UPDATE_FIXTURES=true` rewrites them.
   */
  fixtures?: string;
}

export interface ContractFake {
  /** Base URL to configure the adapter with (base path included). */
  readonly url: string;
  /** The fake's origin (`http://127.0.0.1:<port>`), for adapters that add the API's base path themselves. */
  readonly origin: string;
  /** False when ../shared is absent: answers are served, nothing is validated against the vendor's document. */
  readonly validating: boolean;
  /** Every request received, in order. */
  readonly requests: FakeRequest[];
  /** Contract violations so far: requests the real API rejects, answers its spec forbids, unserved operations. */
  readonly violations: string[];
  /** Serves an operation: `on('GET /alerts', handler)`, the method and the spec's path template. */
  on(route: string, handler: FakeHandler): ContractFake;
  /** A copy of the spec's example answer of an operation (from the committed fixtures). */
  example<T = unknown>(route: string, status?: number): T;
  /** Throws, listing them, when any violation happened; call it after each test. */
  verify(): void;
  close(): Promise<void>;
}

type Json = Record<string, any>;

/** What a vendor's fixtures file holds, so a clone without ../shared serves the same URLs and examples. */
interface Fixtures {
  basePath: string;
  examples: Record<string, Record<string, unknown>>;
}

interface Operation {
  route: string;
  method: string;
  template: string;
  pattern: RegExp;
  paramNames: string[];
  specificity: number;
  parameters: Json[];
  requestBody: Json | null;
  responses: Json;
  security: Json[] | null;
}

/**
 * Schemas as a JSON Schema validator reads them: OpenAPI 3.0's `nullable` and boolean `exclusiveMinimum` become
 * JSON Schema, and `oneOf` becomes `anyOf` (vendors' documents use `oneOf` for alternatives that overlap; a real
 * API accepts a value matching several). Keywords are rewritten only where a schema stands, never in the names
 * of properties.
 */
function normalizeSchema(schema: unknown): unknown {
  if (Array.isArray(schema) || !schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions' || key === '$defs') {
      out[key] = Object.fromEntries(Object.entries(value as Json).map(([name, s]) => [name, normalizeSchema(s)]));
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      out[key === 'oneOf' ? 'anyOf' : key] = (value as unknown[]).map(normalizeSchema);
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = Array.isArray(value) ? value.map(normalizeSchema) : normalizeSchema(value);
    } else if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) {
      out[key] = `spec${value}`;
    } else if (key !== 'discriminator' && key !== 'nullable' && key !== 'exclusiveMinimum' && key !== 'exclusiveMaximum') {
      out[key] = value;
    }
  }
  const bound = (flag: string, limit: string) => {
    const value = (schema as Json)[flag];
    if (typeof value === 'number') out[flag] = value;
    else if (value === true && typeof out[limit] === 'number') {
      out[flag] = out[limit];
      delete out[limit];
    }
  };
  bound('exclusiveMinimum', 'minimum');
  bound('exclusiveMaximum', 'maximum');
  if ((schema as Json).nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    if (out.type === undefined) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

/** Follows a local `$ref` of the document (parameters, request bodies, responses). */
function deref(document: Json, node: Json): Json {
  let current = node;
  for (let hops = 0; current && typeof current.$ref === 'string' && hops < 10; hops++) {
    current = current.$ref
      .slice(2)
      .split('/')
      .map((part: string) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce((at: Json, part: string) => at?.[part], document);
  }
  return current;
}

function describeErrors(errors: ErrorObject[] | null | undefined, at: string): string {
  return (errors ?? [])
    .slice(0, 4)
    .map((e) => `${at}${e.instancePath} ${e.message}${e.params && 'additionalProperty' in e.params ? ` ("${e.params.additionalProperty}")` : ''}`)
    .join('; ');
}

function contentSchema(content: Json | undefined): { type: string; schema: Json | undefined } | null {
  if (!content) return null;
  const type = Object.keys(content).find((t) => /json/i.test(t)) ?? Object.keys(content).find((t) => t.includes('x-www-form-urlencoded')) ?? Object.keys(content)[0];
  return type ? { type, schema: content[type]?.schema } : null;
}

function exampleOf(document: Json, content: Json | undefined): unknown {
  const media = content ? content[Object.keys(content).find((t) => /json/i.test(t)) ?? ''] : undefined;
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  // Named examples may be `$ref`s to `components/examples` (GitHub's document).
  const first = media.examples ? Object.values(media.examples as Json)[0] : undefined;
  // …and an example's value may itself be one (`{ $ref: '#/components/examples/issue' }`).
  let example = first ? deref(document, first as Json) : undefined;
  for (let hops = 0; example?.value && typeof example.value.$ref === 'string' && hops < 5; hops++) example = deref(document, example.value);
  return example?.value;
}

/** The spec as OpenAPI 3.0 (Swagger 2.0 documents are converted). */
async function loadSpec(file: string): Promise<Json> {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Json;
  if (!raw.swagger) return raw;
  return (await swagger2openapi.convertObj(raw as never, { patch: true, warnOnly: true })).openapi as Json;
}

function compileOperations(document: Json, multiSegment: readonly string[]): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries((document.paths ?? {}) as Json)) {
    const paramNames: string[] = [];
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        paramNames.push(name);
        return multiSegment.includes(name) ? '(.+)' : '([^/]+)';
      })
      .join('');
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      operations.push({
        route: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source.replace(/\/$/, '')}/?$`),
        paramNames,
        specificity: paramNames.length,
        parameters: [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p: Json) => deref(document, p)),
        requestBody: operation.requestBody ? deref(document, operation.requestBody) : null,
        responses: operation.responses ?? {},
        security: (operation.security ?? document.security ?? null) as Json[] | null,
      });
    }
  }
  // A literal segment wins over a parameter (`/alerts/groups` before `/alerts/{id}`).
  return operations.sort((a, b) => a.specificity - b.specificity);
}

function routeOf(route: string): { method: string; template: string } {
  const match = /^(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS) (\/\S*)$/.exec(route.trim());
  if (!match) throw new Error(`a route is "METHOD /path/{param}" as the spec writes it, got "${route}"`);
  return { method: match[1]!, template: match[2]! };
}

const skipped = new Set<string>();

/** Starts a contract fake on a free loopback port. */
export async function startContractFake(options: ContractFakeOptions): Promise<ContractFake> {
  const specFile = options.specFile ?? join(options.specDir ?? VENDOR_API_DIR, options.spec);
  const validating = existsSync(specFile);
  const violations: string[] = [];
  const requests: FakeRequest[] = [];
  const handlers = new Map<string, FakeHandler>();
  const fixtureFile = options.fixtures ? join(options.fixtures, options.spec.replace(/\.json$/, '.examples.json')) : null;

  let document: Json = { paths: {} };
  let ajv: Ajv | null = null;
  let coercing: Ajv | null = null;
  if (validating) {
    document = await loadSpec(specFile);
    options.patchSpec?.(document);
    const schemas = Object.fromEntries(Object.entries((document.components?.schemas ?? {}) as Json).map(([name, s]) => [name, normalizeSchema(s)]));
    // Schemas may point into responses, request bodies and parameters (PagerDuty's do): those schemas are there too.
    const nested = (section: string, at: (entry: Json) => Json) =>
      Object.fromEntries(Object.entries((document.components?.[section] ?? {}) as Json).map(([name, entry]) => [name, at(entry as Json)]));
    const withContent = (entry: Json) => ({
      ...entry,
      content: Object.fromEntries(Object.entries((entry.content ?? {}) as Json).map(([type, media]) => [type, { ...media, schema: normalizeSchema((media as Json).schema) }])),
    });
    const components = {
      $id: 'spec',
      components: {
        schemas,
        responses: nested('responses', withContent),
        requestBodies: nested('requestBodies', withContent),
        parameters: nested('parameters', (entry) => ({ ...entry, schema: normalizeSchema(entry.schema) })),
      },
    };
    ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
    coercing = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false, coerceTypes: 'array' }));
    ajv.addSchema(components);
    coercing.addSchema(components);
  } else if (!skipped.has(options.spec)) {
    skipped.add(options.spec);
    process.stderr.write(`[contract fake] ${options.vendor}: answers are served, but requests and answers are not checked: ${vendorApiSkipNotice(options.spec)}\n`);
  }
  const operations = compileOperations(document, options.multiSegmentParams ?? []);
  let basePath = (
    options.basePath ??
    (() => {
      const server = (document.servers as { url: string }[] | undefined)?.[0]?.url;
      if (!server) return '';
      return new URL(server, 'http://placeholder').pathname;
    })()
  ).replace(/\/+$/, '');

  // Fixtures: the spec's base path and examples, committed; checked against (or rewritten from) the spec when it
  // is here, read as they are when it is not.
  let examples: Fixtures['examples'] = {};
  if (fixtureFile) {
    const fromSpec: Fixtures = { basePath, examples: {} };
    for (const op of operations) {
      if (options.fixtureRoutes && !options.fixtureRoutes.includes(op.route)) continue;
      for (const [status, response] of Object.entries(op.responses)) {
        const example = exampleOf(document, deref(document, response as Json).content);
        if (example !== undefined) (fromSpec.examples[op.route] ??= {})[status] = example;
      }
    }
    const committed = existsSync(fixtureFile) ? (JSON.parse(readFileSync(fixtureFile, 'utf8')) as Fixtures) : null;
    if (validating && process.env.UPDATE_FIXTURES === 'true') {
      mkdirSync(dirname(fixtureFile), { recursive: true });
      writeFileSync(fixtureFile, `${JSON.stringify(fromSpec, null, 2)}\n`);
    } else if (validating && JSON.stringify(committed) !== JSON.stringify(fromSpec)) {
      violations.push(`${fixtureFile} does not hold the spec's current base path and examples: run the tests once with UPDATE_FIXTURES=true`);
    } else if (!validating && committed && options.basePath === undefined) {
      basePath = committed.basePath;
    }
    examples = (validating ? fromSpec : committed)?.examples ?? {};
  }

  const validators = new Map<string, ValidateFunction>();
  const compiled = (key: string, schema: Json, coerce = false): ValidateFunction => {
    let validate = validators.get(key);
    if (!validate) {
      validate = (coerce ? coercing! : ajv!).compile(normalizeSchema(schema) as Json);
      validators.set(key, validate);
    }
    return validate;
  };

  /** The violations of one request against its operation (empty when the real API would accept it). */
  const checkRequest = (op: Operation, request: FakeRequest, contentType: string | undefined): string[] => {
    const problems: string[] = [];
    for (const parameter of op.parameters) {
      const where = parameter.in as string;
      const name = parameter.name as string;
      if (options.ignoreParameters?.includes(name)) continue;
      let value: unknown;
      if (where === 'path') value = request.params[name];
      else if (where === 'query') {
        const all = request.query.getAll(name);
        const isArray = parameter.schema?.type === 'array';
        value = all.length === 0 ? undefined : isArray ? (parameter.explode === false ? all.flatMap((v) => v.split(',')) : all) : all.length === 1 ? all[0] : all;
      } else if (where === 'header') value = request.headers[name.toLowerCase()];
      else continue;
      if (value === undefined) {
        if (parameter.required) problems.push(`the required ${where} parameter "${name}" is missing`);
        continue;
      }
      if (!parameter.schema) continue;
      const validate = compiled(`${op.route} ${where} ${name}`, { type: 'object', properties: { [name]: parameter.schema } }, true);
      // An exploded parameter whose schema is one value (PagerDuty's `statuses[]`) may repeat: each value is checked.
      const values = Array.isArray(value) && parameter.schema.type !== 'array' && parameter.explode === true ? value : [value];
      const failed = values.find((v) => !validate({ [name]: v })) !== undefined;
      if (failed) problems.push(describeErrors(validate.errors, `${where} parameter`));
    }
    if (op.requestBody) {
      const media = contentSchema(op.requestBody.content);
      if (request.body === undefined) {
        if (op.requestBody.required) problems.push('the request body is required and none was sent');
      } else if (media?.schema) {
        if (contentType && !contentType.includes(media.type.split(';')[0]!) && !(/json/.test(media.type) && /json/.test(contentType))) {
          problems.push(`the body is ${contentType}, the API takes ${media.type}`);
        }
        const validate = compiled(`${op.route} body`, media.schema, media.type.includes('x-www-form-urlencoded'));
        if (!validate(request.body)) problems.push(describeErrors(validate.errors, 'body'));
      }
    }
    if (op.security && op.security.length > 0) {
      const schemes = (document.components?.securitySchemes ?? {}) as Json;
      const satisfied = op.security.some((alternative) =>
        Object.keys(alternative).every((name) => {
          const scheme = schemes[name] as Json | undefined;
          if (!scheme) return true;
          const authorization = String(request.headers.authorization ?? '');
          if (scheme.type === 'apiKey') {
            if (scheme.in === 'header') return request.headers[String(scheme.name).toLowerCase()] !== undefined;
            if (scheme.in === 'query') return request.query.has(scheme.name);
            return true;
          }
          if (scheme.type === 'http') return authorization.toLowerCase().startsWith(`${String(scheme.scheme).toLowerCase()} `);
          return /^bearer /i.test(authorization);
        }),
      );
      if (!satisfied) problems.push(`no credentials the API accepts (${op.security.map((a) => Object.keys(a).join(' + ') || 'none').join(' or ')})`);
    }
    return problems.filter(Boolean);
  };

  /** The violations of one answer against the operation's documented responses. */
  const checkReply = (op: Operation, reply: FakeReply): string[] => {
    const status = reply.status ?? 200;
    const documented = reply.documentedAs !== undefined ? op.responses[reply.documentedAs] : (op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default);
    if (!documented && reply.documentedAs !== undefined) return [`the spec documents no "${reply.documentedAs}" answer for ${op.route}`];
    if (!documented) return status < 400 ? [`the spec documents no ${status} answer for ${op.route}`] : [];
    if (reply.raw !== undefined || reply.body === undefined) return [];
    const media = contentSchema(deref(document, documented).content);
    if (!media?.schema) return [];
    const validate = compiled(`${op.route} ${reply.documentedAs ?? status} answer`, media.schema);
    return validate(reply.body) ? [] : [`the test's ${status} answer to ${op.route} breaks the spec's schema: ${describeErrors(validate.errors, 'answer')}`];
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    let text = '';
    for await (const chunk of req) text += chunk;
    const contentType = req.headers['content-type'];
    let body: unknown;
    if (text) body = contentType?.includes('x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(text)) : safeJson(text);
    const what = `${req.method} ${url.pathname}`;
    if (basePath && !url.pathname.startsWith(basePath)) {
      violations.push(`${what}: outside the API's base path ${basePath}`);
      return reply(404, { error: 'not found' });
    }
    const path = url.pathname.slice(basePath.length) || '/';
    // With the spec, its operations route; without it, the routes the test serves.
    const candidates: Operation[] = validating
      ? operations
      : [...handlers.keys()].flatMap((route) => compileOperations({ paths: { [routeOf(route).template]: { [routeOf(route).method.toLowerCase()]: {} } } }, options.multiSegmentParams ?? []));
    const op = candidates.find((o) => o.method === req.method && o.pattern.test(path));
    if (!op) {
      violations.push(`${what}: not an operation of the ${options.vendor} API${validating ? ` (${options.spec})` : ''}`);
      return reply(404, { error: 'not found' });
    }
    const match = op.pattern.exec(path)!;
    const params = Object.fromEntries(op.paramNames.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
    const request: FakeRequest = { method: req.method!, path, route: op.route, params, query: url.searchParams, headers: req.headers, body };
    requests.push(request);
    if (validating) {
      const problems = checkRequest(op, request, contentType);
      if (problems.length > 0) {
        violations.push(`${what} (${op.route}) would be refused by ${options.vendor}: ${problems.join('; ')}`);
        return reply(400, { error: `contract fake: ${problems.join('; ')}` });
      }
    }
    const handler = handlers.get(op.route);
    if (!handler) {
      violations.push(`${what}: the test serves no answer for ${op.route}`);
      return reply(501, { error: 'not served by this test' });
    }
    let answer: FakeReply;
    try {
      answer = await handler(request);
    } catch (error) {
      violations.push(`${what}: the handler failed: ${(error as Error).message}`);
      return reply(500, { error: 'handler failed' });
    }
    if (validating) violations.push(...checkReply(op, answer).map((v) => `${what}: ${v}`));
    const status = answer.status ?? 200;
    if (answer.raw !== undefined) return res.writeHead(status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.raw);
    if (answer.body === undefined) return res.writeHead(status, answer.headers).end();
    return reply(status, answer.body, answer.headers);
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: ContractFake = {
    url: `${origin}${basePath}`,
    origin,
    validating,
    requests,
    violations,
    on(route, handler) {
      const { method, template } = routeOf(route);
      const key = `${method} ${template}`;
      if (validating && !operations.some((o) => o.route === key)) {
        throw new Error(`${options.vendor}: "${key}" is not an operation of ${options.spec}; known: ${operations.map((o) => o.route).join(', ')}`);
      }
      handlers.set(key, handler);
      return fake;
    },
    example<T>(route: string, status = 200): T {
      const { method, template } = routeOf(route);
      const example = examples[`${method} ${template}`]?.[String(status)];
      if (example === undefined) throw new Error(`${options.vendor}: the spec has no ${status} example for ${route}${fixtureFile ? '' : ' (pass `fixtures` to read examples)'}; build the answer in the test`);
      return structuredClone(example) as T;
    },
    verify() {
      if (violations.length === 0) return;
      const list = violations.splice(0).map((v) => `- ${v}`).join('\n');
      throw new Error(`${options.vendor} contract fake saw ${list.split('\n').length} violation(s):\n${list}`);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * One origin in front of several contract fakes, routing by path prefix: for vendors that publish one document per
 * API version under one host (Datadog's `/api/v1` and `/api/v2`). Each fake still checks its own requests.
 */
export async function startFakeFront(routes: Record<string, ContractFake>): Promise<{ url: string; close(): Promise<void> }> {
  const prefixes = Object.keys(routes).sort((a, b) => b.length - a.length);
  const server = createServer(async (req, res) => {
    const prefix = prefixes.find((p) => (req.url ?? '/').startsWith(p));
    if (!prefix) return res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no fake serves ${req.url}` }));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && k !== 'host' && k !== 'connection' && k !== 'content-length')) as Record<string, string>;
    let answer: Response;
    try {
      answer = await fetch(`${routes[prefix]!.origin}${req.url}`, { method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
    } catch (error) {
      // The fake went away (closed at the end of a test) or the client gave up: answer as a gateway would.
      return res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
    }
    const out: Record<string, string> = {};
    answer.headers.forEach((value, key) => {
      if (key !== 'content-length' && key !== 'transfer-encoding' && key !== 'connection' && key !== 'keep-alive') out[key] = value;
    });
    res.writeHead(answer.status, out).end(Buffer.from(await answer.arrayBuffer()));
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
