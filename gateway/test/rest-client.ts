// A REST client for the tests that checks every answer it receives against the OpenAPI document
// (gateway/src/rest/generated/openapi.json): status documented for the operation, content type, body schema,
// and the headers every answer carries. A mismatch throws, so no response of the test run goes unchecked.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { ROOT } from './harness.ts';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

export const OPENAPI = JSON.parse(readFileSync(join(ROOT, 'gateway', 'src', 'rest', 'generated', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, { $ref?: string; content?: Record<string, unknown> }> }>>;
  components: { responses: Record<string, { content: Record<string, unknown>; headers?: Record<string, unknown> }> };
};

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(OPENAPI, 'openapi.json');
const validators = new Map<string, ValidateFunction>();

const pointer = (...segments: string[]) => segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

const templates = Object.keys(OPENAPI.paths).map((template) => ({
  template,
  matches: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

/** Every answer checked so far, by `METHOD template status` (the tests report what they covered). */
export const checkedResponses = new Map<string, number>();

/** Checks one answer against the document; throws naming the mismatch. Answers outside any documented path (404/405) are checked as problems. */
export function checkResponse(method: string, path: string, status: number, contentType: string | null, headers: Headers, body: unknown): void {
  if (!headers.get('x-request-id')) throw new Error(`${method} ${path} → ${status} has no X-Request-Id`);
  const relative = path.replace(/^\/api\/v1/, '').split('?')[0]!;
  const template = templates.find((t) => t.matches.test(relative))?.template;
  const operation = template ? OPENAPI.paths[template]![method.toLowerCase()] : undefined;
  if (!template || !operation) {
    if ((status === 404 || status === 405) && contentType?.startsWith('application/problem+json')) {
      return validateWith(`problem`, { $ref: 'openapi.json#/components/schemas/Problem' }, body, `${method} ${path} → ${status}`);
    }
    throw new Error(`${method} ${path} is not in the OpenAPI document (answered ${status})`);
  }
  let response = operation.responses[String(status)];
  if (!response) throw new Error(`${method} ${template} answered ${status}, which the OpenAPI document does not list (${Object.keys(operation.responses).join(', ')})`);
  let base = `#/paths/${pointer(template, method.toLowerCase(), 'responses', String(status))}`;
  if (response.$ref) {
    base = response.$ref;
    const name = response.$ref.split('/').pop()!;
    response = OPENAPI.components.responses[name]!;
    if ((response as { headers?: Record<string, unknown> }).headers?.['Retry-After'] && status === 429 && !headers.get('retry-after')) {
      throw new Error(`${method} ${path} → 429 without Retry-After`);
    }
  }
  const media = contentType?.split(';')[0]!.trim() ?? '';
  if (!response.content?.[media]) throw new Error(`${method} ${template} → ${status} answered ${media}, documented: ${Object.keys(response.content ?? {}).join(', ')}`);
  validateWith(`${base}/content/${pointer(media)}/schema`, { $ref: `openapi.json${base}/content/${pointer(media)}/schema` }, body, `${method} ${path} → ${status}`);
  const key = `${method} ${template} ${status}`;
  checkedResponses.set(key, (checkedResponses.get(key) ?? 0) + 1);
}

function validateWith(key: string, schema: object, body: unknown, what: string): void {
  let validate = validators.get(key);
  if (!validate) validators.set(key, (validate = ajv.compile(schema)));
  if (!validate(body)) {
    throw new Error(`${what} does not match the OpenAPI document: ${ajv.errorsText(validate.errors, { separator: '; ' })}\n${JSON.stringify(body).slice(0, 800)}`);
  }
}

export interface RestAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RestRequest {
  query?: Record<string, string | number | boolean | (string | number)[]>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as it is (no JSON encoding), with its own content type in `headers`. */
  rawBody?: string;
}

/** The REST API of the gateway at `graphqlUrl`'s origin, every answer checked against the OpenAPI document. */
export function restClient(graphqlUrl: string) {
  const origin = new URL(graphqlUrl).origin;
  return async function rest<T = any>(method: string, path: string, request: RestRequest = {}): Promise<RestAnswer<T>> {
    const url = new URL(`/api/v1${path}`, origin);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      for (const item of [value].flat()) url.searchParams.append(name, String(item));
    }
    const headers: Record<string, string> = { ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers };
    const response = await fetch(url, {
      method,
      headers,
      body: request.rawBody ?? (request.body !== undefined ? JSON.stringify(request.body) : undefined),
    });
    const text = await response.text();
    const body = text ? (JSON.parse(text) as T) : (undefined as T);
    checkResponse(method, `${url.pathname}${url.search}`, response.status, response.headers.get('content-type'), response.headers, body);
    return { status: response.status, headers: response.headers, body };
  };
}
