import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { NextFunction, Request, Response } from 'express';
import { Kind, parse, print, visit } from 'graphql';
import { z } from 'zod';
import type { Logger } from '@opsorch/adapters';
import { mibBytes, SecurityConfigError, type SecurityConfig } from './config.ts';
import { sendRefusal } from './http-errors.ts';
import { RedisKeyValueCache } from './redis-cache.ts';

/** Apollo's persisted query manifest, as `npm run codegen` writes it (gateway/generated/trusted-documents.json). */
const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(z.object({ id: z.string().regex(/^[0-9a-f]{64}$/), name: z.string(), type: z.string(), body: z.string() })),
});

export type TrustedDocumentsManifest = z.infer<typeof manifestSchema>;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The same operation however a client prints it: whitespace and comments dropped, and the `__typename`
 * selections that caching clients (urql, Apollo Client) add removed. Throws on a document that does not parse.
 */
export function normalizedOperationHash(text: string, maxTokens?: number): string {
  const document = visit(parse(text, { noLocation: true, maxTokens }), {
    Field(node) {
      return node.name.value === '__typename' && !node.alias ? null : undefined;
    },
    SelectionSet(node) {
      // A selection set emptied by the removal would not print as valid GraphQL; keep one __typename.
      return node.selections.length === 0
        ? { ...node, selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }] }
        : undefined;
    },
  });
  return sha256(print(document));
}

export function loadManifest(path: string): { byId: Map<string, string>; normalized: Set<string>; count: number } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new SecurityConfigError(`gateway.persistedOperations.manifest: cannot read ${path} (run \`npm run codegen\` to generate it)`);
  }
  const parsed = manifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SecurityConfigError(`gateway.persistedOperations.manifest: ${path} at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const byId = new Map<string, string>();
  const normalized = new Set<string>();
  for (const operation of parsed.data.operations) {
    if (sha256(operation.body) !== operation.id) {
      throw new SecurityConfigError(`gateway.persistedOperations.manifest: ${path}: operation ${operation.name} has an id that is not the SHA-256 of its body`);
    }
    byId.set(operation.id, operation.body);
    normalized.add(normalizedOperationHash(operation.body));
  }
  return { byId, normalized, count: byId.size };
}

export interface PersistedOperationsOptions {
  config: SecurityConfig['persistedOperations'];
  caches: SecurityConfig['caches'];
  /** A text longer than this (gateway.limits.maxTokens) is not parsed to compare it with the manifest. */
  maxTokens?: number;
  logger: Logger;
  onRefused(req: Request, status: number, code: string, reason: string, operationName?: string | null): void;
}

/**
 * Persisted operations. `open` mode: automatic persisted queries (a client sends a hash, and the full text
 * once when the hash is unknown), cached in Redis when `caches.redisUrl` is set so every replica knows every
 * hash, else in a bounded in-memory LRU. `trusted` mode: only operations of the manifest run, sent by id
 * (APQ-style hash) or as text matching a manifest operation up to formatting and `__typename`.
 */
export function createPersistedOperations(options: PersistedOperationsOptions) {
  const { config, caches, logger } = options;
  const trusted = config.mode === 'trusted' ? loadManifest(config.manifest!) : null;
  const redis = caches.redisUrl && config.apq && !trusted ? new RedisKeyValueCache(caches.redisUrl, logger) : null;
  const cache: KeyValueCache<string> =
    redis ?? new InMemoryLRUCache<string>({ maxSize: mibBytes(caches.apqMiB), sizeCalculation: InMemoryLRUCache.sizeCalculation });
  // Verdicts on query texts already seen, so a trusted text is parsed once, not per request.
  const verdicts = new Map<string, boolean>();

  function isTrusted(text: string): boolean {
    const id = sha256(text);
    if (trusted!.byId.has(id)) return true;
    let verdict = verdicts.get(id);
    if (verdict === undefined) {
      try {
        verdict = trusted!.normalized.has(normalizedOperationHash(text, options.maxTokens));
      } catch {
        verdict = false;
      }
      if (verdicts.size >= 10_000) verdicts.delete(verdicts.keys().next().value as string);
      verdicts.set(id, verdict);
    }
    return verdict;
  }

  function refuse(req: Request, res: Response, message: string, operationName: string | null) {
    options.onRefused(req, 400, 'BAD_USER_INPUT', 'OPERATION_NOT_TRUSTED', operationName);
    sendRefusal(req, res, 400, 'BAD_USER_INPUT', message, { reason: 'OPERATION_NOT_TRUSTED' });
  }

  /**
   * APQ in open mode: a hash that is not the SHA-256 of the text sent with it, or an unknown protocol version,
   * is the client's mistake, answered as one (Apollo would report it as an internal error).
   */
  function checkAutomaticPersistedQuery(req: Request, res: Response, params: Record<string, unknown>, persisted: unknown): boolean {
    if (persisted === undefined || persisted === null) return true;
    const operationName = typeof params.operationName === 'string' ? params.operationName : null;
    const { version, sha256Hash } = persisted as { version?: unknown; sha256Hash?: unknown };
    const refuse = (reason: string, message: string) => {
      options.onRefused(req, 400, 'BAD_USER_INPUT', reason, operationName);
      sendRefusal(req, res, 400, 'BAD_USER_INPUT', message, { reason });
      return false;
    };
    if (version !== 1) return refuse('PERSISTED_QUERY_VERSION_UNSUPPORTED', `extensions.persistedQuery.version must be 1 (automatic persisted queries, version 1); got ${JSON.stringify(version)}.`);
    if (typeof sha256Hash !== 'string' || !/^[0-9a-f]{64}$/.test(sha256Hash)) {
      return refuse('PERSISTED_QUERY_HASH_INVALID', 'extensions.persistedQuery.sha256Hash must be the SHA-256 of the query text: 64 lowercase hex digits.');
    }
    if (typeof params.query === 'string' && sha256(params.query) !== sha256Hash) {
      return refuse(
        'PERSISTED_QUERY_HASH_MISMATCH',
        `extensions.persistedQuery.sha256Hash (${sha256Hash.slice(0, 16)}…) is not the SHA-256 of the query sent with it: hash the exact text sent, as UTF-8, in lowercase hex.`,
      );
    }
    return true;
  }

  /**
   * In trusted mode, swaps a manifest id for its text and refuses everything not in the manifest; in open mode,
   * checks automatic persisted queries.
   */
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const isGet = req.method === 'GET';
    const params = (isGet ? req.query : req.body) as Record<string, unknown> | undefined;
    if (!params || typeof params !== 'object' || Array.isArray(params)) return next();
    let extensions = params.extensions as Record<string, unknown> | string | undefined;
    if (typeof extensions === 'string') {
      try {
        extensions = JSON.parse(extensions) as Record<string, unknown>;
      } catch {
        extensions = undefined;
      }
    }
    if (!trusted) {
      if (!config.apq || checkAutomaticPersistedQuery(req, res, params, (extensions as Record<string, unknown> | undefined)?.persistedQuery)) next();
      return;
    }
    const hash = (extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
    const operationName = typeof params.operationName === 'string' ? params.operationName : null;
    if (typeof hash === 'string') {
      const body = trusted.byId.get(hash);
      if (!body) return refuse(req, res, `No operation with id ${hash.slice(0, 16)}… is in the trusted documents manifest; this gateway runs only those.`, operationName);
      const { persistedQuery: _persisted, ...rest } = extensions as Record<string, unknown>;
      if (isGet) {
        const url = new URL(req.url, 'http://gateway');
        url.searchParams.set('query', body);
        if (Object.keys(rest).length > 0) url.searchParams.set('extensions', JSON.stringify(rest));
        else url.searchParams.delete('extensions');
        req.url = `${url.pathname}${url.search}`;
      } else {
        params.query = body;
        params.extensions = rest;
      }
      return next();
    }
    if (typeof params.query === 'string' && !isTrusted(params.query)) {
      return refuse(req, res, 'This gateway runs only operations from its trusted documents manifest, and this one is not among them.', operationName);
    }
    next();
  };

  return {
    middleware,
    /** For ApolloServer's `persistedQueries` option. */
    apollo: trusted || !config.apq ? (false as const) : { cache, ttl: config.apqTtlSeconds },
    async ready() {
      if (redis && !(await redis.ready())) logger.warn({}, 'Redis not reachable at start-up; APQ is per replica until it is');
    },
    describe() {
      return {
        mode: config.mode,
        apq: !!(config.apq && !trusted),
        apqCache: redis ? 'redis' : `memory (${caches.apqMiB} MiB)`,
        ...(trusted ? { manifest: config.manifest, trustedOperations: trusted.count } : {}),
      };
    },
    async close() {
      await redis?.close();
    },
  };
}
