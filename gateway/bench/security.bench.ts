// `npm run bench:security`: what authentication, rate limiting and auditing add to a request (median over
// sequential requests to an in-process gateway, with and without), and what the operation analysis behind
// authorization and limits costs on its own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSchema, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { startGateway, type RunningGateway } from '../src/index.ts';
import { analyzeOperation } from '../src/security/analysis.ts';
import { ownershipFromSupergraph } from '../src/security/ownership.ts';
import { captureLogs, gql, ROOT } from '../test/harness.ts';
import { WAR_ROOM } from '../test/queries.ts';
import { apiKey, bearer, startIdentityProvider, tempDir, writeGatewayConfig } from '../test/security-fixtures.ts';

const SMALL = '{ incidents(first: 5) { nodes { id title severity } } }';
const RUNS = 1000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median latency of each variant, its requests interleaved one by one so drift on the machine hits all alike. */
async function medians(variants: { gateway: RunningGateway; headers: Record<string, string> }[], query: string): Promise<number[]> {
  const samples = variants.map(() => [] as number[]);
  for (let i = 0; i < RUNS + 50; i++) {
    for (const [v, { gateway, headers }] of variants.entries()) {
      const t = performance.now();
      const body = await gql(gateway.url, query, undefined, headers);
      if (i >= 50) samples[v]!.push(performance.now() - t);
      if (body.errors) throw new Error(JSON.stringify(body.errors));
    }
  }
  return samples.map(median);
}

const key = apiKey('bench', ['*'], { rateLimit: { requestsPerMinute: 1_000_000 } });
const idp = await startIdentityProvider();
const token = await idp.sign({ sub: 'bench', scope: '*' }, { expiresIn: '1h' });
const dir = tempDir();
const withConfig = writeGatewayConfig(
  {
    auth: { apiKeys: [key.entry], jwt: { jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience } },
    // Auditing every read too: the worst case (by default only mutations and denials are written).
    audit: { reads: true, sinks: [{ type: 'file', path: join(dir, 'audit.jsonl') }] },
    limits: { rateLimit: { requestsPerMinute: 1_000_000 } },
  },
  dir,
);
const withoutConfig = writeGatewayConfig({ audit: { sinks: [] } }, tempDir());
const quiet = () => captureLogs().logger;
const without = await startGateway({ port: 0, host: '127.0.0.1', env: { OPSORCH_CONFIG: withoutConfig }, logger: quiet() });
const secured = await startGateway({ port: 0, host: '127.0.0.1', env: { OPSORCH_CONFIG: withConfig }, logger: quiet() });

for (const [label, query] of [
  ['small query (5 incidents)', SMALL],
  ['war-room query', WAR_ROOM],
] as const) {
  const [base, k, j] = (await medians(
    [
      { gateway: without, headers: {} },
      { gateway: secured, headers: bearer(key.key) },
      { gateway: secured, headers: bearer(token) },
    ],
    query,
  )) as [number, number, number];
  console.log(
    `${label}, ${RUNS} sequential requests each, interleaved: median without ${base.toFixed(2)} ms; ` +
      `API key + rate limit + audit ${k.toFixed(2)} ms (+${(k - base).toFixed(2)} ms); JWT + rate limit + audit ${j.toFixed(2)} ms (+${(j - base).toFixed(2)} ms)`,
  );
}

// Authorization and the limits share one walk of the operation; both variants above pay it.
const schema = buildSchema(readFileSync(join(ROOT, 'schema', 'generated', 'api.graphql'), 'utf8'));
const ownership = ownershipFromSupergraph(readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'));
const document = parse(WAR_ROOM);
const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
const fragments = Object.fromEntries(
  document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((d) => [d.name.value, d]),
);
const options = { defaultListSize: 10, fieldEnvironments: {} };
for (let i = 0; i < 2000; i++) analyzeOperation(schema, ownership, operation, fragments, { first: 10 }, options);
const walks = 20_000;
const t = performance.now();
for (let i = 0; i < walks; i++) analyzeOperation(schema, ownership, operation, fragments, { first: 10 }, options);
console.log(`operation analysis (scopes, environments, depth, aliases, cost) of the war-room query: ${(((performance.now() - t) / walks) * 1000).toFixed(1)} µs per request`);

await without.close();
await secured.close();
await idp.close();
