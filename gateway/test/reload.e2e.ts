import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import autocannon from 'autocannon';
import { SUPERGRAPH_PATH, subgraphTypeDefs, type SubgraphName } from '@opsorch/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, startSubgraphServer, type GatewayOptions, type RunningGateway } from '../src/index.ts';
import { subgraphSigning } from './security-fixtures.ts';
import { controlled, type Control } from './controlled-provider.ts';
import { captureLogs, gql, spawnOpsOrch, type SpawnedServer } from './harness.ts';

const FIRST_INCIDENT = `{ incidents(first: 1) { nodes { id } } }`;

let folder: string;
let configPath: string;
const stops: (() => Promise<void>)[] = [];
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'opsorch-reload-'));
  configPath = join(folder, 'opsorch.yaml');
});
afterEach(async () => {
  while (stops.length) await stops.pop()!();
  rmSync(folder, { recursive: true, force: true });
});

function writeIncidentsConfig(instance: string, provider: string) {
  writeFileSync(configPath, `capabilities:\n  incidents:\n    - instance: ${instance}\n      provider: ${provider}\n`);
}

async function start(options: GatewayOptions): Promise<RunningGateway> {
  const gateway = await startGateway({ port: 0, host: '127.0.0.1', logger: captureLogs().logger, ...options });
  stops.push(() => gateway.close());
  return gateway;
}

async function firstIncidentId(url: string): Promise<string> {
  const body = await gql(url, FIRST_INCIDENT);
  expect(body.errors).toBeUndefined();
  return body.data.incidents.nodes[0].id as string;
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('hot reload of configuration', () => {
  it('swaps configuration for new requests while a request in flight finishes on the old one, which is then closed', async () => {
    let release = () => {};
    const old: Control = { mode: { kind: 'held', released: new Promise<void>((resolve) => (release = resolve)) }, calls: {} };
    writeIncidentsConfig('old', 'ctl');
    const gateway = await start({ env: { OPSORCH_CONFIG: configPath }, extraProviders: { ctl: controlled(old) } });

    const inFlight = gql(gateway.url, FIRST_INCIDENT);
    await eventually(async () => old.calls.query ?? 0, (n) => n > 0);
    writeIncidentsConfig('new', 'demo');
    expect(await gateway.reload('test')).toBe(2);
    expect(gateway.generation).toBe(2);

    // New requests see the new configuration while the old request is still held.
    expect(await firstIncidentId(gateway.url)).toMatch(/^new:/);
    expect(old.closed ?? 0).toBe(0);

    // The request that started before the reload is answered in full by the old configuration.
    release();
    const body = await inFlight;
    expect(body.errors).toBeUndefined();
    expect(body.data.incidents.nodes[0].id).toMatch(/^old:/);
    // Its generation is retired once its last request ended.
    expect(await eventually(async () => old.closed ?? 0, (n) => n > 0)).toBeGreaterThan(0);
  });

  it('requests whose clients left while they waited their turn do not hold the old configuration open', async () => {
    const old: Control = { mode: { kind: 'ok' }, calls: {} };
    writeIncidentsConfig('old', 'ctl');
    const gateway = await start({ env: { OPSORCH_CONFIG: configPath }, extraProviders: { ctl: controlled(old) } });

    // Fifty clients ask as fast as they can, then stop at once, as a load generator does: the requests that were
    // waiting their turn start after their clients left.
    const load = await autocannon({
      url: gateway.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: FIRST_INCIDENT }),
      connections: 50,
      duration: 1,
    });
    expect(load.non2xx).toBe(0);
    expect(await firstIncidentId(gateway.url)).toMatch(/^old:/);

    writeIncidentsConfig('new', 'demo');
    await gateway.reload('test');
    expect(await firstIncidentId(gateway.url)).toMatch(/^new:/);
    expect(await eventually(async () => old.closed ?? 0, (n) => n > 0, 3_000)).toBe(1);
  });

  it('an invalid configuration is refused with the key to fix, and the current one keeps serving', async () => {
    writeIncidentsConfig('first', 'demo');
    const gateway = await start({ env: { OPSORCH_CONFIG: configPath } });
    writeFileSync(configPath, `capabilities:\n  incidents:\n    - instance: Bad_Name\n      provider: demo\n`);
    await expect(gateway.reload('test')).rejects.toThrow(/capabilities\.incidents.*instance names are lowercase/s);
    expect(gateway.generation).toBe(1);
    expect(await firstIncidentId(gateway.url)).toMatch(/^first:/);
    const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
    expect(metrics).toMatch(/^opsorch_config_reloads_total\{result="error",component="gateway"\} 1$/m);
  });

  it('reloads by itself when a watched configuration file changes (OPSORCH_WATCH_CONFIG=true)', async () => {
    writeIncidentsConfig('before', 'demo');
    const gateway = await start({ env: { OPSORCH_CONFIG: configPath, OPSORCH_WATCH_CONFIG: 'true' } });
    expect(await firstIncidentId(gateway.url)).toMatch(/^before:/);
    writeIncidentsConfig('after', 'demo');
    expect(await eventually(() => firstIncidentId(gateway.url), (id) => id.startsWith('after:'))).toMatch(/^after:/);
    expect(gateway.generation).toBe(2);
  });

  it('reloads the supergraph: fields a new supergraph adds are served without a restart', async () => {
    const supergraphPath = join(folder, 'supergraph.graphql');
    const partial = composeServices(
      (['services', 'teams'] as SubgraphName[]).map((name) => ({ name, typeDefs: subgraphTypeDefs(name), url: `http://opsorch-${name}:4000/graphql` })),
    );
    expect(partial.errors).toBeUndefined();
    writeFileSync(supergraphPath, partial.supergraphSdl!);
    const gateway = await start({ env: { OPSORCH_SUPERGRAPH_PATH: supergraphPath } });
    const before = await gql(gateway.url, FIRST_INCIDENT);
    expect(before.errors![0]!.message).toMatch(/Cannot query field "incidents"/);

    writeFileSync(supergraphPath, readFileSync(SUPERGRAPH_PATH, 'utf8'));
    await gateway.reload('new supergraph');
    expect(await firstIncidentId(gateway.url)).toMatch(/^demo:/);
  });

  it('a standalone subgraph server reloads its providers the same way', async () => {
    writeIncidentsConfig('before', 'demo');
    const signing = subgraphSigning();
    const subgraph = await startSubgraphServer({ name: 'incidents', port: 0, host: '127.0.0.1', env: { OPSORCH_CONFIG: configPath, ...signing.env }, logger: captureLogs().logger });
    stops.push(() => subgraph.close());
    const ask = async () => (await gql(subgraph.url, FIRST_INCIDENT, undefined, await signing.headers('incidents', FIRST_INCIDENT))).data.incidents.nodes[0].id as string;
    expect(await ask()).toMatch(/^before:/);
    writeIncidentsConfig('after', 'demo');
    expect(await subgraph.reload('test')).toBe(2);
    expect(await ask()).toMatch(/^after:/);
  });

  it('SIGHUP reloads a running `opsorch start`', async () => {
    writeIncidentsConfig('before', 'demo');
    let server: SpawnedServer | undefined = await spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1'], {
      OPSORCH_CONFIG: configPath,
      OPSORCH_CONSOLE: 'off',
    });
    stops.push(async () => server?.stop());
    expect(await firstIncidentId(server.url)).toMatch(/^before:/);
    writeIncidentsConfig('after', 'demo');
    server.process.kill('SIGHUP');
    expect(await eventually(() => firstIncidentId(server!.url), (id) => id.startsWith('after:'))).toMatch(/^after:/);
    // The log line may reach the pipe after the answer does.
    const log = await eventually(async () => server!.output.join(''), (text) => text.includes('reloaded: new requests'));
    expect(log).toContain('reloaded: new requests use the new configuration');
  }, 60_000);
});
