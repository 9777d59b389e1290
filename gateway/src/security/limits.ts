import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import type { SecurityConfig } from './config.ts';
import { sendRefusal } from './http-errors.ts';
import { refusal, type OperationKnowledge } from './operation.ts';

/** `reason`s of limit refusals (all BAD_USER_INPUT: the caller fixes them by changing the request). */
export const LIMIT_REASONS = [
  'MAX_DEPTH',
  'MAX_ALIASES',
  'MAX_COST',
  'MAX_TOKENS',
  'MAX_FIELDS_PER_SELECTION',
  'MAX_RESPONSE_SIZE',
  'RESPONSE_TOO_LARGE',
  'BODY_TOO_LARGE',
  'INTROSPECTION_DISABLED',
] as const;

/** graphql-js's hints at schema names, in validation and variable errors. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

export interface LimitsOptions {
  config: SecurityConfig['limits'];
  knowledge: OperationKnowledge;
  onRefused(req: Request, status: number, code: string, reason: string): void;
}

/**
 * Limits on what one operation may ask for: depth, aliases, estimated cost (see docs/decisions/006), fields per
 * object and the answer's size (estimated before, measured after: decision 013), body size, and introspection. Each refusal is BAD_USER_INPUT with a `reason`, the measured value and the limit,
 * before any provider is called.
 */
export function createLimits(options: LimitsOptions) {
  const { config, knowledge } = options;

  const plugin: ApolloServerPlugin<object> = {
    async requestDidStart() {
      return {
        // Without introspection, graphql-js's "Did you mean ...?" would still spell out field, type, argument and
        // enum names to whoever probes with typos.
        async willSendResponse({ response }) {
          if (config.introspection || response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            (error as { message: string }).message = error.message.replace(SUGGESTION, '');
          }
        },
        async didResolveOperation(requestContext) {
          const analysis = knowledge.analysisOf(requestContext);
          if (!analysis) return;
          if (analysis.introspection && !config.introspection) {
            throw refusal('Introspection is switched off on this gateway (gateway.limits.introspection).', 'BAD_USER_INPUT', 400, {
              reason: 'INTROSPECTION_DISABLED',
            });
          }
          if (analysis.depth > config.maxDepth) {
            throw refusal(`The operation nests ${analysis.depth} levels deep; the limit is ${config.maxDepth}. Split it into several requests.`, 'BAD_USER_INPUT', 400, {
              reason: 'MAX_DEPTH',
              depth: analysis.depth,
              limit: config.maxDepth,
            });
          }
          if (analysis.aliases > config.maxAliases) {
            throw refusal(`The operation uses ${analysis.aliases} aliases; the limit is ${config.maxAliases}.`, 'BAD_USER_INPUT', 400, {
              reason: 'MAX_ALIASES',
              aliases: analysis.aliases,
              limit: config.maxAliases,
            });
          }
          if (analysis.exploded || analysis.cost > config.maxCost) {
            const cost = analysis.exploded ? 'beyond counting' : String(analysis.cost);
            throw refusal(
              `The operation's estimated cost is ${cost}; the limit is ${config.maxCost}. Ask for fewer items (lower \`first\`) or fewer nested lists.`,
              'BAD_USER_INPUT',
              400,
              { reason: 'MAX_COST', cost: analysis.exploded ? null : analysis.cost, limit: config.maxCost },
            );
          }
          if (analysis.widestSelection > config.maxFieldsPerSelection) {
            throw refusal(
              `The operation selects ${analysis.widestSelection} fields on one object (aliases and __typename included); the limit is ${config.maxFieldsPerSelection}.`,
              'BAD_USER_INPUT',
              400,
              { reason: 'MAX_FIELDS_PER_SELECTION', fields: analysis.widestSelection, limit: config.maxFieldsPerSelection },
            );
          }
          if (analysis.responseValues > config.maxResponseValues) {
            throw refusal(
              `The answer would hold about ${analysis.responseValues} values (every selected field, __typename included, times the lists around it); the limit is ${config.maxResponseValues}. Ask for fewer items (lower \`first\`) or fewer fields.`,
              'BAD_USER_INPUT',
              400,
              { reason: 'MAX_RESPONSE_SIZE', values: analysis.responseValues, limit: config.maxResponseValues },
            );
          }
        },
      };
    },
  };

  /** Refuses a declared body over the limit before reading it; chunked bodies are cut by the JSON parser. */
  const bodySize = (req: Request, res: Response, next: NextFunction) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > config.maxBodyBytes) return refuseBody(req, res);
    next();
  };

  function refuseBody(req: Request, res: Response) {
    options.onRefused(req, 413, 'BAD_USER_INPUT', 'BODY_TOO_LARGE');
    // The rest of the body stays unread: the connection closes after the answer, so no client sends its next request on it.
    sendRefusal(
      req,
      res,
      413,
      'BAD_USER_INPUT',
      `The request body is larger than ${config.maxBodyBytes} bytes (gateway.limits.maxBodyBytes).`,
      { reason: 'BODY_TOO_LARGE', limit: config.maxBodyBytes },
      { connection: 'close' },
    );
  }

  /**
   * Estimates cannot know how long every list really is (a metric series' points): an answer built past
   * `maxResponseBytes` anyway is not sent, and the client learns why. Apollo hands Express the whole body
   * as one string, so its length is known without serializing twice.
   */
  const isUtf8 = (type: unknown) => typeof type === 'string' && /;\s*charset=utf-8$/i.test(type);
  const responseSize = (req: Request, res: Response, next: NextFunction) => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (typeof body === 'string' && body.length > config.maxResponseBytes / 3 && Buffer.byteLength(body) > config.maxResponseBytes) {
        const bytes = Buffer.byteLength(body);
        options.onRefused(req, 400, 'BAD_USER_INPUT', 'RESPONSE_TOO_LARGE');
        res.send = send;
        sendRefusal(
          req,
          res,
          400,
          'BAD_USER_INPUT',
          `The answer is ${bytes} bytes; the limit is ${config.maxResponseBytes} (gateway.limits.maxResponseBytes). Ask for fewer items, fewer fields, a shorter range or a larger step.`,
          { reason: 'RESPONSE_TOO_LARGE', bytes, limit: config.maxResponseBytes },
        );
        return res;
      }
      // An answer to a POST that already says it is UTF-8 (Apollo's) is written here: Express's `send` would hash it
      // for an ETag no client revalidates a POST with (3–5 % of a war-room request). It goes out as bytes encoded
      // once (Node takes the Content-Length from them): a string ended as it is stays on the heap, flattened to be
      // counted, until a slow client has read all of it, and its 70–130 KB were then promoted (decision 040).
      if (typeof body === 'string' && req.method === 'POST' && res.statusCode !== 204 && res.statusCode !== 304 && !res.headersSent && isUtf8(res.getHeader('content-type'))) {
        const bytes = Buffer.from(body);
        if (res.hasHeader('content-length')) res.setHeader('Content-Length', bytes.length);
        res.end(bytes);
        return res;
      }
      return send(body);
    };
    next();
  };

  /** Turns the JSON parser's errors into GraphQL-shaped answers instead of Express's HTML page. */
  const bodyErrors = (error: unknown, req: Request, res: Response, next: NextFunction) => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') return refuseBody(req, res);
    if (type === 'entity.parse.failed') {
      return sendRefusal(req, res, 400, 'BAD_USER_INPUT', 'The request body is not valid JSON.', { reason: 'INVALID_JSON' });
    }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return sendRefusal(req, res, 415, 'BAD_USER_INPUT', 'Unsupported body encoding; send UTF-8 JSON.', { reason: 'UNSUPPORTED_ENCODING' });
    }
    if ((error as { status?: number }).status === 400) {
      // A body whose Content-Encoding (gzip, deflate, br) does not match its bytes: zlib's words stay in the log.
      return sendRefusal(req, res, 400, 'BAD_USER_INPUT', 'The request body could not be decoded: its Content-Encoding does not match its bytes.', { reason: 'INVALID_BODY' });
    }
    next(error);
  };

  return { plugin, bodySize, bodyErrors, responseSize, maxBodyBytes: config.maxBodyBytes };
}
