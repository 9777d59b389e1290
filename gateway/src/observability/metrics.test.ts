import type { GraphQLRequestContextWillSendResponse, GraphQLRequestListener } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.ts';

/** Runs one request through the plugin as Apollo would: start, then send a response with `errors`. */
async function answer(metrics: ReturnType<typeof createMetrics>, operationName: string, errors: unknown[] = []) {
  const listener = (await metrics.apolloPlugin.requestDidStart!({} as never)) as GraphQLRequestListener<never>;
  await listener.willSendResponse!({
    operationName,
    request: { operationName },
    operation: { operation: 'query' },
    response: { body: { kind: 'single', singleResult: { data: {}, errors: errors.length ? errors : undefined } } },
  } as unknown as GraphQLRequestContextWillSendResponse<never>);
}

describe('metrics', () => {
  it('caps the distinct operation names a client can create, counting the rest as other', async () => {
    const metrics = createMetrics({ component: 'test', maxOperationLabels: 3 });
    for (const name of ['A', 'B', 'C', 'D', 'E', 'A']) await answer(metrics, name);
    const { body } = await metrics.render();
    const operations = [...body.matchAll(/^opsorch_graphql_requests_total\{operation="(\w+)"/gm)].map((m) => m[1]);
    expect(operations.sort()).toEqual(['A', 'B', 'C', 'other']);
    expect(body).toMatch(/^opsorch_graphql_requests_total\{operation="other",type="query",result="ok",component="test"\} 2$/m);
    expect(body).toMatch(/^opsorch_graphql_requests_total\{operation="A",type="query",result="ok",component="test"\} 2$/m);
  });

  it('counts errors by code and marks answers with data and errors partial', async () => {
    const metrics = createMetrics({ component: 'test' });
    await answer(metrics, 'War', [{ message: 'x', extensions: { code: 'PROVIDER_TIMEOUT' } }]);
    const { body } = await metrics.render();
    expect(body).toMatch(/^opsorch_graphql_requests_total\{operation="War",type="query",result="partial",component="test"\} 1$/m);
    expect(body).toMatch(/^opsorch_graphql_errors_total\{code="PROVIDER_TIMEOUT",component="test"\} 1$/m);
  });
});
