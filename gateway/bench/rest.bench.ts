// `npm run bench:rest`: REST against GraphQL for the same read (the GetIncident operation, the same incident),
// median of 500 requests each, interleaved so both see the same machine; and the size of the OpenAPI document.
import { gzipSync } from 'node:zlib';
import { startGateway } from '../src/index.ts';
import { REST_ROUTES } from '../src/rest/generated/routes.ts';
import { captureLogs } from '../test/harness.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 500);
const WARMUP = 50;
const route = REST_ROUTES.find((r) => r.operationName === 'GetIncident')!;
const id = 'demo:Q3VW8TR';

const gateway = await startGateway({ port: 0, host: '127.0.0.1', env: { OPSORCH_CONSOLE: 'off' }, logger: captureLogs().logger });
const origin = new URL(gateway.url).origin;

async function graphql(): Promise<number> {
  const start = performance.now();
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: route.document, operationName: route.operationName, variables: { id } }),
  });
  const body = (await response.json()) as { data?: { incident?: unknown } };
  if (!body.data?.incident) throw new Error(`GraphQL answered ${response.status}`);
  return performance.now() - start;
}

async function rest(): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${origin}/api/v1/incidents/${encodeURIComponent(id)}`);
  const body = (await response.json()) as { data?: unknown };
  if (response.status !== 200 || !body.data) throw new Error(`REST answered ${response.status}`);
  return performance.now() - start;
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median ${at(0.5).toFixed(2)} ms, p90 ${at(0.9).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`;
};

try {
  for (let i = 0; i < WARMUP; i++) {
    await graphql();
    await rest();
  }
  const timings = { graphql: [] as number[], rest: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first, so neither always runs on a warmer cache.
    if (i % 2 === 0) {
      timings.graphql.push(await graphql());
      timings.rest.push(await rest());
    } else {
      timings.rest.push(await rest());
      timings.graphql.push(await graphql());
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(`GetIncident(${id}), ${ROUNDS} requests each, sequential, one connection at a time`);
  console.log(`  POST /graphql               ${stats(timings.graphql)}`);
  console.log(`  GET /api/v1/incidents/{id}  ${stats(timings.rest)}`);
  console.log(`  REST − GraphQL (medians)    ${(median(timings.rest) - median(timings.graphql)).toFixed(2)} ms`);

  const document = await (await fetch(`${origin}/api/v1/openapi.json`)).text();
  console.log(`OpenAPI document: ${REST_ROUTES.length} operations, ${Buffer.byteLength(document)} bytes as served (${gzipSync(document).length} bytes gzipped)`);
} finally {
  await gateway.close();
}
