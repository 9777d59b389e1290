import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '@opsorch/schema';
import type { RunningGateway } from '../src/index.ts';
import { gql, spawnOpsOrch, startTestGateway, type SpawnedServer } from './harness.ts';
import { WAR_ROOM } from './queries.ts';

// Every process must share the demo world's anchor for the answers to be comparable.
const DEMO_NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
process.env.OPSORCH_DEMO_NOW = DEMO_NOW;

describe('distributed: `opsorch subgraph <name>` per capability behind the gateway', () => {
  const subgraphs: SpawnedServer[] = [];
  let distributed: RunningGateway;
  let local: RunningGateway;

  beforeAll(async () => {
    const started = await Promise.all(
      SUBGRAPH_NAMES.map((name) =>
        spawnOpsOrch(['subgraph', name, '--port', '0', '--host', '127.0.0.1'], { OPSORCH_DEMO_NOW: DEMO_NOW, OPSORCH_LOG_LEVEL: 'info' }),
      ),
    );
    subgraphs.push(...started);
    const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, started[i]!.url]));
    distributed = await startTestGateway({ subgraphUrls: urls });
    local = await startTestGateway();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([distributed?.close(), local?.close(), ...subgraphs.map((s) => s.stop())]);
  });

  it('answers the war-room query exactly like the in-process gateway', async () => {
    const [remote, inProcess] = await Promise.all([gql(distributed.url, WAR_ROOM), gql(local.url, WAR_ROOM)]);
    expect(remote.errors).toBeUndefined();
    expect(inProcess.errors).toBeUndefined();
    expect(remote.data.incidents.nodes.length).toBeGreaterThan(0);
    expect(remote.data).toEqual(inProcess.data);
  });

  it('each subgraph process serves only its own capability', async () => {
    const incidents = subgraphs[SUBGRAPH_NAMES.indexOf('incidents')]!;
    const body = await gql(incidents.url, '{ _service { sdl } }');
    expect(body.data._service.sdl).toContain('type Incident');
    expect(body.data._service.sdl).not.toContain('type Deployment @key');
  });
});
