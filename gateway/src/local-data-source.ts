import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { execute, parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/**
 * Runs a subgraph in-process. Unlike @apollo/gateway's LocalGraphQLDataSource, which parses and validates
 * every fetch, this caches the parsed and validated document per subgraph query text: the gateway sends the
 * same few query-plan fetches over and over, so under load the parse/validate work would dominate.
 * The cache is bounded in entries and in the characters of query text it holds (least recently used entries
 * go first): the planner keeps an operation's literal arguments in its fetches, so a client sending distinct
 * operations with large literals would otherwise fill a thousand entries with megabytes each.
 */
export class CachedLocalDataSource implements GraphQLDataSource {
  private readonly documents = new Map<string, { document: DocumentNode } | { errors: readonly GraphQLError[] }>();
  private cachedChars = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly maxDocuments = 1_000,
    /** Told whether each fetch found its document cached (metrics). */
    private readonly onLookup?: (hit: boolean) => void,
    /** Characters of query text the cache may hold; a document over a sixteenth of it is never cached. */
    private readonly maxChars = 2 * 2 ** 20,
  ) {}

  private documentFor(query: string) {
    const cached = this.documents.get(query);
    this.onLookup?.(cached !== undefined);
    if (cached) {
      this.documents.delete(query);
      this.documents.set(query, cached);
      return cached;
    }
    let entry: { document: DocumentNode } | { errors: readonly GraphQLError[] };
    try {
      const document = parse(query);
      const errors = validate(this.schema, document);
      entry = errors.length > 0 ? { errors } : { document };
    } catch (error) {
      entry = { errors: [error as GraphQLError] };
    }
    if (query.length > this.maxChars / 16) return entry;
    this.documents.set(query, entry);
    this.cachedChars += query.length;
    while (this.documents.size > this.maxDocuments || this.cachedChars > this.maxChars) {
      const oldest = this.documents.keys().next().value as string;
      this.documents.delete(oldest);
      this.cachedChars -= oldest.length;
    }
    return entry;
  }

  async process({ request, context }: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const entry = this.documentFor(request.query ?? '');
    if ('errors' in entry) return { errors: entry.errors as GatewayGraphQLResponse['errors'] };
    const result = await execute({
      schema: this.schema,
      document: entry.document,
      variableValues: request.variables,
      operationName: request.operationName,
      contextValue: context,
    });
    return result as GatewayGraphQLResponse;
  }
}
