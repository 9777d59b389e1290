// Test code: walks `logs` through the gateway page by page to the end, as the log providers' contract tests do.
import { expect } from 'vitest';
import { gql } from '../../gateway/test/harness.ts';

/** Every line of `query` in `range`, `first` at a time in `order`; each page must answer without provider errors. */
export async function walkLogs(gatewayUrl: string, query: string, range: string, order: string, first: number, selection: string): Promise<any[]> {
  const nodes: any[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 300; pages++) {
    const body: any = await gql(
      gatewayUrl,
      `query($after: String) { logs(query: ${query}, range: ${range}, first: ${first}, after: $after, order: ${order}) { nodes { ${selection} } pageInfo { hasNextPage endCursor } providerErrors { code message } } }`,
      { after },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.logs.providerErrors).toEqual([]);
    nodes.push(...body.data.logs.nodes);
    if (!body.data.logs.pageInfo.hasNextPage) return nodes;
    after = body.data.logs.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}
