import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { execute, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLError, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** A query-plan fetch, ready to run: compiled to JavaScript when graphql-jit can, else graphql-js executes it. */
type Prepared = { document: DocumentNode; compiled: CompiledQuery | null } | { errors: readonly GraphQLError[] };

/**
 * Runs a subgraph in-process. Unlike @apollo/gateway's LocalGraphQLDataSource, which parses and validates
 * every fetch, this prepares each subgraph query text once: parsed, validated and compiled with graphql-jit
 * (decision 021), since the gateway sends the same few query-plan fetches over and over and, under load, the
 * parse/validate work and graphql-js's per-field interpretation would dominate.
 * The cache is bounded in entries and in the characters of query text it holds (least recently used entries
 * go first): the planner keeps an operation's literal arguments in its fetches, so a client sending distinct
 * operations with large literals would otherwise fill a thousand entries with megabytes each.
 */
export class CachedLocalDataSource implements GraphQLDataSource {
  private readonly documents = new Map<string, Prepared>();
  private cachedChars = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly maxDocuments = 1_000,
    /** Told whether each fetch found its document cached (metrics). */
    private readonly onLookup?: (hit: boolean) => void,
    /** Characters of query text the cache may hold; a document over a sixteenth of it is never cached. */
    private readonly maxChars = 2 * 2 ** 20,
  ) {}

  private prepared(query: string, operationName: string | undefined): Prepared {
    const key = operationName ? `${operationName}\u0000${query}` : query;
    const cached = this.documents.get(key);
    this.onLookup?.(cached !== undefined);
    if (cached) {
      this.documents.delete(key);
      this.documents.set(key, cached);
      return cached;
    }
    let entry: Prepared;
    try {
      const document = parse(query);
      const errors = validate(this.schema, document);
      if (errors.length > 0) entry = { errors };
      else {
        const compiled = compileQuery(this.schema, document, operationName, { disablingCapturingStackErrors: true });
        entry = { document, compiled: isCompiledQuery(compiled) ? compiled : null };
      }
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
