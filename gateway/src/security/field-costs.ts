import { compileUserPattern } from '@opsorch/adapters';
import { MAX_GRAPH_NODES } from '@opsorch/subgraphs';

/**
 * Lists whose length the default list size (10) would underestimate, by schema coordinate: a dependency-graph
 * walk may reach MAX_GRAPH_NODES services, with about as many call relations.
 */
export const LIST_SIZES: Readonly<Record<string, number>> = {
  'ServiceGraph.nodes': MAX_GRAPH_NODES,
  'ServiceGraph.edges': MAX_GRAPH_NODES,
};

/** Log reads whose cost depends on how they search. */
const LOG_READS = new Set(['Query.logs', 'Service.logs', 'Query.logVolume']);

interface LogQueryArgument {
  text?: string | null;
  filters?: readonly { op?: string | null; value?: string | null }[] | null;
}

/**
 * The cost of a log read beyond the lines it returns (decision 013). A plain read stops once its page is full;
 * a search (text or field filters) renders and tests every line until the page fills, so a rare match scans a
 * provider's whole budget: it costs `searchCost`, about what that scan takes measured in returned objects. A
 * regular expression adds in proportion to its compiled program (the work per character of every value), and
 * logVolume counts every line of the range, so it costs twice as much, and twice that again when it filters.
 */
export function logSearchWork(searchCost: number) {
  return (coordinate: string, args: Record<string, unknown>): number => {
    if (!LOG_READS.has(coordinate)) return 0;
    const query = (args.query ?? {}) as LogQueryArgument;
    // Arguments arrive coerced, unless their variables did not coerce (the request then fails as it runs): read
    // nothing that is not of the schema's shape.
    const filters = Array.isArray(query.filters) ? query.filters : [];
    const searching = (typeof query.text === 'string' && query.text.trim() !== '') || filters.length > 0;
    let regexWork = 0;
    for (const filter of filters) {
      if (filter?.op !== 'REGEX' || typeof filter.value !== 'string') continue;
      try {
        regexWork += Math.ceil((searchCost * compileUserPattern(filter.value, 'cost', 'search').programSize) / 1000);
      } catch {
        // Refused with a clear message when the field runs; nothing to charge.
      }
    }
    if (coordinate === 'Query.logVolume') return 2 * searchCost * (searching ? 2 : 1) + 2 * regexWork;
    return searching ? searchCost + regexWork : 0;
  };
}
