import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { execute, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLError, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/**
 * A query-plan fetch, ready to run: compiled to JavaScript once it is seen again and graphql-jit can compile
 * it (`compiled` false when it cannot), else graphql-js executes it.
 */
type Prepared = { document: DocumentNode; compiled: CompiledQuery | false | undefined } | { errors: readonly GraphQLError[] };

/**
 * Runs a subgraph in-process. Unlike @apollo/gateway's LocalGraphQLDataSource, which parses and validates
 * every fetch, this prepares each subgraph query text once: parsed, validated and compiled with graphql-jit
 * (decision 021), since the gateway sends the same few query-plan fetches over and over and, under load, the
 * parse/validate work and graphql-js's per-field interpretation would dominate.
 * The cache is bounded in entries and in the characters of query text it holds (least recently used entries
 * go first): the planner keeps an operation's literal arguments in its fetches, so a client sending distinct
 * operations with large literals would otherwise fill a thousand entries with megabytes each.
 * Only a cached document that is fetched a second time is compiled: compiling costs more than interpreting a
 * fetch once, and the generated function's source (literals included) stays in V8's compilation cache for
 * several collections, so compiling every one-off document would hold memory the bound above does not count.
 */
export class CachedLocalDataSource implements GraphQLDataSource {
  private readonly documents = new Map<string, Prepared>();
  private cachedChars = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly maxDocuments = 1_000,
    /** Told whether each fetch found its document cached (metrics). */
    private readonly onLookup?: (hit: boolean) => void,
    /**
     * Characters of query text the cache may hold; a document over a sixteenth of it is never cached. At 2 Mi
     * characters the caches of all subgraphs held 61 MiB after a 4-minute fuzzing run (decision 050).
     */
    private readonly maxChars = 2 ** 20,
  ) {}

  /** The compiled fetch, or false when graphql-jit cannot compile it (graphql-js then executes it). */
  private compile(document: DocumentNode, operationName: string | undefined): CompiledQuery | false {
    try {
      const compiled = compileQuery(this.schema, document, operationName, { disablingCapturingStackErrors: true });
      return isCompiledQuery(compiled) ? compiled : false;
    } catch {
      return false;
    }
  }

  private prepared(query: string, operationName: string | undefined): Prepared {
    const key = operationName ? `${operationName}\u0000${query}` : query;
    const cached = this.documents.get(key);
    this.onLookup?.(cached !== undefined);
    if (cached) {
      this.documents.delete(key);
      this.documents.set(key, cached);
      if ('document' in cached && cached.compiled === undefined) cached.compiled = this.compile(cached.document, operationName);
      return cached;
    }
    let entry: Prepared;
    try {
      // No locations: a fetch document is the planner's, never shown to a client, and the token list that locations
      // keep alive would more than double what each cached document holds (17 KB against 6.5 KB for a typical fetch).
      const document = parse(query, { noLocation: true });
      const errors = validate(this.schema, document);
      entry = errors.length > 0 ? { errors } : { document, compiled: undefined };
    } catch (error) {
      entry = { errors: [error as GraphQLError] };
    }
    if (key.length > this.maxChars / 16) return entry;
    this.documents.set(key, entry);
    this.cachedChars += key.length;
    while (this.documents.size > this.maxDocuments || this.cachedChars > this.maxChars) {
      const oldest = this.documents.keys().next().value as string;
      this.documents.delete(oldest);
      this.cachedChars -= oldest.length;
    }
    return entry;
  }

  async process({ request, context }: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const entry = this.prepared(request.query ?? '', request.operationName);
    if ('errors' in entry) return { errors: entry.errors as GatewayGraphQLResponse['errors'] };
    const result: ExecutionResult = entry.compiled
      ? await entry.compiled.query(undefined, context, request.variables ?? {})
      : await execute({
          schema: this.schema,
          document: entry.document,
          variableValues: request.variables,
          operationName: request.operationName,
          contextValue: context,
        });
    return result as GatewayGraphQLResponse;
  }
}
