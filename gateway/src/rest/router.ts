import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Request, Response } from 'express';
import express from 'express';
import { redactSecrets, type Logger } from '@opsorch/adapters';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { REST_ROUTES } from './generated/routes.ts';
import type { GraphQLAnswer, OperationPipeline, RefusalRenderer } from './pipeline.ts';
import { problemOf, sendProblem, statusOf, type Problem } from './problems.ts';
import type { RestParameter, RestRoute } from './route.ts';

const require = createRequire(import.meta.url);
// ajv's CommonJS builds, loaded the same way under tsx, vitest and plain Node.
const Ajv2020 = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

/** Where the REST API is served. */
export const REST_BASE = '/api/v1';
export const OPENAPI_PATH = `${REST_BASE}/openapi.json`;
const OPENAPI_FILE = new URL('./generated/openapi.json', import.meta.url);

interface InvalidMember {
  detail: string;
  parameter?: string;
  pointer?: string;
}

/** Thrown while reading a request: a 400 (or 415) naming every member to fix. */
class InvalidRequest extends Error {
  constructor(
    message: string,
    readonly errors: InvalidMember[],
    readonly status = 400,
    readonly reason = 'INVALID_REQUEST',
  ) {
    super(message);
  }
}

function parseText(parameter: RestParameter, text: string): unknown {
  switch (parameter.parse) {
    case 'integer':
    case 'number': {
      const value = Number(text);
      return text.trim() === '' || Number.isNaN(value) ? text : value;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        throw new InvalidRequest(`${describe(parameter)} must be JSON text.`, [{ detail: 'must be JSON text', parameter: parameter.name }]);
      }
    default:
      return text;
  }
}

function describe(parameter: RestParameter): string {
  const where = parameter.in === 'query' ? 'Query parameter' : parameter.in === 'path' ? 'Path parameter' : 'Header';
  return `${where} "${parameter.name}"`;
}

/** The operation's variables from the path, the query string, the headers and the JSON body. */
function variablesOf(route: RestRoute, req: Request): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  const errors: InvalidMember[] = [];
  const query = req.query as Record<string, string | string[] | undefined>;
  const known = new Set(route.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of Object.keys(query)) {
    if (!known.has(name)) {
      const takes = [...known].join(', ') || 'none';
      errors.push({ detail: `unknown query parameter; this endpoint takes: ${takes}`, parameter: name });
    }
  }
  for (const parameter of route.parameters) {
    let raw: string | string[] | undefined;
    if (parameter.in === 'path') raw = req.params[parameter.name] as string | undefined;
    else if (parameter.in === 'query') raw = query[parameter.name];
    else raw = req.headers[parameter.name.toLowerCase()];
    if (raw === undefined) continue;
    if (Array.isArray(raw) && !parameter.list) {
      errors.push({ detail: 'must be given once', parameter: parameter.name });
      continue;
    }
    try {
      // `?groupBy=` (one empty value) is the empty list, which repeated parameters cannot otherwise say.
      if (parameter.list) variables[parameter.variable] = raw === '' ? [] : [raw].flat().map((text) => parseText(parameter, text));
      else variables[parameter.variable] = parseText(parameter, raw as string);
    } catch (error) {
      if (error instanceof InvalidRequest) errors.push(...error.errors);
      else throw error;
    }
  }
  if (route.body) {
    const body: unknown = req.body;
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) {
      throw new InvalidRequest('Send the body as JSON with "Content-Type: application/json".', [], 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    if ('variable' in route.body) {
      if (!hasBody) errors.push({ detail: 'a JSON object body is required', pointer: '' });
      else if (!isObject(body)) errors.push({ detail: 'must be a JSON object', pointer: '' });
      else variables[route.body.variable] = body;
    } else if (hasBody) {
      if (!isObject(body)) errors.push({ detail: 'must be a JSON object', pointer: '' });
      else {
        const fields = new Set(route.body.fields);
        for (const [name, value] of Object.entries(body)) {
          if (fields.has(name)) variables[name] = value;
          else errors.push({ detail: `unknown member; the body takes: ${[...fields].join(', ') || 'nothing'}`, pointer: `/${name}` });
        }
      }
    }
  }
  if (errors.length > 0) throw new InvalidRequest(summary(errors, route), errors);
  return variables;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function summary(errors: InvalidMember[], route?: RestRoute): string {
  const first = errors[0]!;
  const parameter = route?.parameters.find((p) => p.name === first.parameter);
  const where =
    first.parameter === undefined
      ? `Body member "${first.pointer || '/'}"`
      : parameter
        ? describe(parameter)
        : `Query parameter "${first.parameter}"`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  return `${where}: ${first.detail}${more}.`;
}

/** Turns schema errors on the variables into the request members the caller wrote. */
function membersOf(route: RestRoute, errors: ErrorObject[]): InvalidMember[] {
  const byVariable = new Map(route.parameters.map((p) => [p.variable, p]));
  return errors.map((error) => {
    const segments = error.instancePath.split('/').slice(1);
    const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : undefined;
    const extra = error.keyword === 'additionalProperties' ? (error.params as { additionalProperty: string }).additionalProperty : undefined;
    const variable = segments[0] ?? missing ?? extra!;
    const detail = extra ? 'is not a member of this body' : missing && segments.length === 0 ? 'is required' : error.message ?? 'is invalid';
    const parameter = byVariable.get(variable);
    if (parameter) return { detail, parameter: parameter.name };
    let path = segments.length === 0 ? [variable] : segments;
    if (route.body && 'variable' in route.body && path[0] === route.body.variable) path = path.slice(1);
    if (missing && segments.length > 0) path = [...path, missing];
    if (extra) path = segments.length === 0 ? [extra] : [...path, extra];
    return { detail: missing && segments.length > 0 ? 'is required' : detail, pointer: path.length ? `/${path.join('/')}` : '' };
  });
}

/** A provider error of the answer: a list's failed provider, or a part of `data` that could not be read. */
interface ProviderErrorItem {
  capability: string | null;
  provider: string | null;
  code: string;
  message: string;
  path?: string;
}

/** Removes the `providerErrors` lists at `path` (through lists) from `value` and returns their items. */
function liftProviderErrors(value: unknown, path: string[]): ProviderErrorItem[] {
  if (Array.isArray(value)) return value.flatMap((item) => liftProviderErrors(item, path));
  if (!isObject(value)) return [];
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length > 0) return liftProviderErrors(value[head], rest);
  const items = value[head];
  delete value[head];
  return Array.isArray(items) ? (items as ProviderErrorItem[]) : [];
}

function valueAt(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, key) => (isObject(v) ? v[key] : undefined), value);
}

function problemOfError(error: GraphQLAnswer['errors'][number], instance: string): Problem {
  const extensions = (error.extensions ?? {}) as Record<string, unknown>;
  const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL';
  return { ...problemOf(statusOf(code, extensions.reason), code, error.message, extensions), instance };
}

/** Problem details for the security layer's refusals (401, 403 on the environment header, 413, 415, 429). */
export const renderProblem: RefusalRenderer = (res, status, error) => {
  const extensions = error.extensions ?? {};
  const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL';
  const problem = problemOf(status, code, error.message, extensions);
  const instance = (res.req as Request | undefined)?.originalUrl?.split('?')[0];
  sendProblem(res, instance ? { ...problem, instance } : problem);
};

/** Anything that escaped the handlers: logged, and answered as a problem without internals. */
function internalErrors(logger: Logger): express.ErrorRequestHandler {
  return (error, req, res, next) => {
    logger.error({ err: redactSecrets(String((error as Error)?.message ?? error)), requestId: req.headers['x-request-id'] }, 'REST request failed');
    if (res.headersSent) return next(error);
    sendProblem(res, { ...problemOf(500, 'INTERNAL', 'Internal error in OpsOrch; it has been logged with the request id.'), instance: req.originalUrl.split('?')[0] });
  };
}

/** Path templates as regular expressions over our own, fixed route table (never over user input). */
function templateMatcher(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
  return new RegExp(`^${escaped}/?$`);
}

/**
 * The REST API: one endpoint per generated route (gateway/src/rest/generated/routes.ts), each running its
 * GraphQL operation through the gateway's pipeline; the OpenAPI document at /openapi.json.
 */
export function createRestRouter(pipeline: OperationPipeline, logger: Logger, routes: readonly RestRoute[] = REST_ROUTES): express.Router {
  const router = express.Router({ strict: false });
  const openapi = readFileSync(OPENAPI_FILE, 'utf8');
  const openapiMin = JSON.stringify(JSON.parse(openapi));
  router.get('/openapi.json', (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.type('application/json').send(openapiMin);
  });

  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validators = new Map<RestRoute, ValidateFunction>();
  const validatorOf = (route: RestRoute) => {
    let validate = validators.get(route);
    if (!validate) validators.set(route, (validate = ajv.compile(route.variablesSchema)));
    return validate;
  };
  const gets = new Map(routes.filter((r) => r.method === 'GET').map((r) => [r.path, r]));

  router.use(...pipeline.admission(renderProblem));
  for (const route of routes) {
    const expressPath = route.path.replace(/\{(\w+)\}/g, ':$1');
    const handler = async (req: Request, res: Response) => {
      const instance = req.originalUrl.split('?')[0]!;
      let variables: Record<string, unknown>;
      try {
        variables = variablesOf(route, req);
        const validate = validatorOf(route);
        if (!validate(variables)) {
          const errors = membersOf(route, validate.errors ?? []);
          throw new InvalidRequest(summary(errors, route), errors);
        }
      } catch (error) {
        if (!(error instanceof InvalidRequest)) throw error;
        sendProblem(res, {
          ...problemOf(error.status, 'BAD_USER_INPUT', error.message, { reason: error.reason, ...(error.errors.length ? { errors: error.errors } : {}) }),
          instance,
        });
        return;
      }
      const answer = await pipeline.run(req, res, { document: route.document, operationName: route.operationName, variables });
      const data = answer.data?.[route.root];
      // The endpoint's document is fixed, so OpsOrch's own refusal of an argument anywhere in the answer (a nested
      // `since` that is not a time) is a refusal of this request's parameters: a 400, never a 200 with a hole in it.
      // A provider's refusal (a vendor's 400, attributed to its instance) stays one failed part of the answer.
      const badInput = answer.errors.find((e) => {
        const extensions = (e.extensions ?? {}) as { code?: unknown; provider?: unknown };
        return extensions.code === 'BAD_USER_INPUT' && !extensions.provider;
      });
      if (badInput) {
        sendProblem(res, problemOfError(badInput, instance));
        return;
      }
      if (data === null || data === undefined) {
        const error = answer.errors.find((e) => e.path?.[0] === route.root) ?? answer.errors[0];
        sendProblem(res, error ? problemOfError(error, instance) : { ...problemOf(404, 'NOT_FOUND', `Nothing found at ${instance}.`), instance });
        return;
      }
      const providerErrors = route.providerErrorPaths.flatMap((path) => liftProviderErrors(data, path));
      for (const error of answer.errors) {
        const extensions = (error.extensions ?? {}) as Record<string, unknown>;
        providerErrors.push({
          capability: typeof extensions.capability === 'string' ? extensions.capability : null,
          provider: typeof extensions.provider === 'string' ? extensions.provider : null,
          code: typeof extensions.code === 'string' ? extensions.code : 'INTERNAL',
          message: error.message,
          ...(error.path ? { path: error.path.slice(1).join('.') } : {}),
        });
      }
      if (route.paging) {
        const pageInfo = valueAt(data, [...route.paging.path, 'pageInfo']) as { hasNextPage?: boolean; endCursor?: string | null } | undefined;
        if (pageInfo?.hasNextPage && pageInfo.endCursor) {
          const next = new URL(req.originalUrl, 'http://opsorch');
          next.searchParams.set('after', pageInfo.endCursor);
          res.setHeader('link', `<${next.pathname}${next.search}>; rel="next"`);
        }
      }
      if (route.successStatus === 201) {
        const item = gets.get(`${route.path}/{id}`);
        const id = (data as { id?: unknown }).id;
        if (item && typeof id === 'string') res.setHeader('location', `${REST_BASE}${route.path}/${encodeURIComponent(id)}`);
      }
      res.status(route.successStatus);
      res.setHeader('cache-control', 'no-store');
      res.json({ data, providerErrors });
    };
    router[route.method === 'GET' ? 'get' : route.method === 'POST' ? 'post' : 'patch'](expressPath, (req, res, next) => {
      handler(req, res).catch(next);
    });
  }

  const matchers = routes.map((route) => ({ route, matches: templateMatcher(route.path) }));
  router.use((req, res) => {
    const instance = req.originalUrl.split('?')[0]!;
    const allowed = [...new Set(matchers.filter((m) => m.matches.test(req.path)).map((m) => m.route.method))];
    if (allowed.length > 0) {
      res.setHeader('allow', allowed.join(', '));
      sendProblem(res, { ...problemOf(405, 'BAD_USER_INPUT', `${req.method} is not allowed on ${instance}; use ${allowed.join(' or ')}.`), title: 'Method not allowed', instance });
      return;
    }
    sendProblem(res, { ...problemOf(404, 'NOT_FOUND', `No endpoint at ${instance}; the endpoints are listed in ${OPENAPI_PATH}.`), instance });
  });
  router.use(internalErrors(logger));
  return router;
}
