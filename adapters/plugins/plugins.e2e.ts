// The sample Python plugin (adapters/examples/incidents_plugin.py) driven through the registry and the gateway.
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { ensureDebianPackages } from '../examples/prometheus-stack.ts';
import { createRuntimeSync } from '../../gateway/src/runtime.ts';
import { ANONYMOUS, silentLogger, type ProviderContext } from '../src/context.ts';
import type { ProviderRegistry } from '../src/registry.ts';
import type { IncidentProvider } from '../src/spi/incidents.ts';
import { createPluginProvider, pluginSettingsSchema, type PluginProcess } from './plugin.ts';

const PLUGIN = join(import.meta.dirname, '..', 'examples', 'incidents_plugin.py');

const pluginEnv = (config: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) => ({
  OPSORCH_INCIDENTS_PROVIDER: 'demo,tracker=plugin',
  OPSORCH_INCIDENTS_CONFIG: JSON.stringify({ tracker: { command: 'python3', args: [PLUGIN], settings, ...config } }),
});

function ctx(signal = new AbortController().signal): ProviderContext {
  return { signal, logger: silentLogger, actor: ANONYMOUS, requestId: crypto.randomUUID(), now: new Date() };
}

let registry: ProviderRegistry | undefined;
let gateway: RunningGateway | undefined;

beforeAll(() => ensureDebianPackages({ 'python3-minimal': 'python3' }), 600_000);

afterEach(async () => {
  await registry?.close();
  await direct?.close?.();
  await gateway?.close();
  registry = gateway = direct = undefined;
});

let direct: IncidentProvider | undefined;

/** The plugin provider on its own, without the registry's retries and circuit breaker: its own behaviour only. */
function tracker(env: Record<string, string>) {
  const settings = pluginSettingsSchema.parse(JSON.parse(env.OPSORCH_INCIDENTS_CONFIG!).tracker);
  direct = createPluginProvider('incidents', settings, { instance: 'tracker', kind: 'plugin', logger: silentLogger, timeoutMs: 10_000 });
  return { provider: direct, plugin: (direct as unknown as { plugin: PluginProcess }).plugin };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

describe('a Python plugin over JSON-RPC on stdio, through the gateway', () => {
  it('its incidents merge with the demo world, join the catalog, take writes, and its stderr lands in our log', async () => {
    const logs = captureLogs();
    gateway = await startTestGateway({ env: pluginEnv(), logger: logs.logger });
    const list = await gql(gateway.url, `{ incidents(first: 50) { nodes { id } providerErrors { provider } } }`);
    expect(list.errors).toBeUndefined();
    const ids = list.data.incidents.nodes.map((n: any) => n.id);
    expect(ids).toEqual(expect.arrayContaining(['tracker:TRK-7', 'tracker:TRK-6', 'tracker:TRK-5']));
    expect(ids.some((id: string) => id.startsWith('demo:'))).toBe(true);

    const one = await gql(gateway.url, `{ incident(id: "tracker:TRK-7") { title status rawStatus severity rawSeverity url source { provider instance id }
      service { id name owner { id } } assignee { id } timeline { nodes { kind message } } } }`);
    expect(one.errors).toBeUndefined();
    expect(one.data.incident).toMatchObject({
      title: 'Checkout p99 latency above 2s',
      status: 'TRIGGERED',
      rawStatus: 'open',
      severity: 'SEV2',
      rawSeverity: 'P2',
      url: 'https://tracker.example.com/incidents/TRK-7',
      source: { provider: 'plugin', instance: 'tracker', id: 'TRK-7' },
      service: { id: 'checkout', name: expect.any(String), owner: { id: expect.any(String) } },
      timeline: { nodes: [{ kind: 'TRIGGERED', message: 'Incident opened' }] },
    });

    const ack = await gql(gateway.url, `mutation { acknowledgeIncident(id: "tracker:TRK-7") { status rawStatus acknowledgedAt timeline { nodes { kind } } } }`);
    expect(ack.errors).toBeUndefined();
    expect(ack.data.acknowledgeIncident).toMatchObject({ status: 'ACKNOWLEDGED', rawStatus: 'investigating', timeline: { nodes: [{ kind: 'ACKNOWLEDGED' }, { kind: 'TRIGGERED' }] } });
    const missing = await gql(gateway.url, `mutation { acknowledgeIncident(id: "tracker:TRK-404") { id } }`);
    expect(missing.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', capability: 'incidents', provider: 'tracker' });
    const closed = await gql(gateway.url, `mutation { acknowledgeIncident(id: "tracker:TRK-5") { id } }`);
    expect(closed.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', provider: 'tracker' });

    const health = await gql(gateway.url, `{ providers(capability: "incidents") { instance provider health checked } }`);
    expect(health.data.providers).toEqual([
      { instance: 'demo', provider: 'demo', health: 'UP', checked: false },
      { instance: 'tracker', provider: 'plugin', health: 'UP', checked: true },
    ]);
    const stderr = logs.lines.map((l) => JSON.parse(l)).find((l) => l.stream === 'stderr');
    expect(stderr).toMatchObject({ plugin: 'tracker', msg: 'incidents plugin ready for instance tracker (protocol 1)' });
  });
});

describe('the plugin runtime', () => {
  it('keeps several calls in flight at once', async () => {
    const { provider } = tracker(pluginEnv({}, { delayMs: 400 }));
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 8 }, () => provider.getMany(['tracker:TRK-6'], ctx())));
    // One after the other would take 8 x 400 ms.
    expect(Date.now() - started).toBeLessThan(8 * 400);
    for (const answer of answers) expect(answer[0]!.title).toBe('Search index lagging');
  });

  it('cuts a call at its timeout, cancels it in the plugin, and keeps serving', async () => {
    const { provider, plugin } = tracker(pluginEnv({ callTimeoutMs: 150 }, { delayMs: 600 }));
    const slow = await failure(provider.getMany(['tracker:TRK-6'], ctx()));
    expect(slow).toMatchObject({ code: 'PROVIDER_TIMEOUT', message: expect.stringContaining('did not answer within 150 ms') });
    // The caller's own abort (the registry's timeout, a client gone) cancels the same way.
    const controller = new AbortController();
    const pending = provider.getMany(['tracker:TRK-6'], ctx(controller.signal));
    controller.abort();
    expect(await failure(pending)).toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    // Same process: a slow call is not a crash.
    expect(plugin.starts).toBe(1);
    expect(() => process.kill(plugin.pid!, 0)).not.toThrow();
  });

  it('an optional write the plugin lacks is NOT_SUPPORTED', async () => {
    const { provider } = tracker(pluginEnv());
    const unsupported = await failure(provider.createIncident!({ title: 'x', serviceId: 'checkout', severity: 'SEV3' } as never, ctx()));
    expect(unsupported).toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringContaining('incidents.createIncident') });
  });

  it('restarts a crashed plugin with backoff: calls in flight fail, calls meanwhile fail fast, then it serves again', async () => {
    const { provider, plugin } = tracker(pluginEnv({ restartDelayMs: 300 }, { delayMs: 200 }));
    await provider.getMany(['tracker:TRK-7'], ctx());
    const firstPid = plugin.pid!;
    const inFlight = provider.getMany(['tracker:TRK-7'], ctx());
    await new Promise((r) => setTimeout(r, 50));
    process.kill(firstPid, 'SIGKILL');
    expect(await failure(inFlight)).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('was killed by SIGKILL') });
    expect(await failure(provider.getMany(['tracker:TRK-7'], ctx()))).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: expect.stringMatching(/restarting in \d+ ms/),
    });
    await new Promise((r) => setTimeout(r, 500));
    const again = await provider.getMany(['tracker:TRK-7'], ctx());
    expect(again[0]!.id).toBe('tracker:TRK-7');
    expect(plugin.pid).not.toBe(firstPid);
    expect(plugin.starts).toBe(2);
  });

  it('a plugin that cannot start is DOWN with its exit, and is retried with a growing delay', async () => {
    const env = pluginEnv({ restartDelayMs: 100, env: { SAMPLE_PLUGIN_FAIL_AT_START: '1' } });
    registry = createRuntimeSync({ env, logger: silentLogger }).registry;
    const plugin = (registry.all('incidents').find((p) => p.instance === 'tracker') as unknown as { plugin: PluginProcess }).plugin;
    const [health] = (await registry.checkHealth()).filter((h) => h.instance === 'tracker');
    expect(health).toMatchObject({ status: 'DOWN', error: { code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('exited with code 3') } });
    await new Promise((r) => setTimeout(r, 900));
    // 100, 200, 400 ms: three restarts at most in 900 ms, not nine.
    expect(plugin.starts).toBeGreaterThanOrEqual(3);
    expect(plugin.starts).toBeLessThanOrEqual(5);
  });

  it('closing the registry stops the plugin process', async () => {
    registry = createRuntimeSync({ env: pluginEnv(), logger: silentLogger }).registry;
    const provider = registry.all('incidents').find((p) => p.instance === 'tracker')!;
    await provider.getMany([], ctx());
    const pid = (provider as unknown as { plugin: PluginProcess }).plugin.pid!;
    await registry.close();
    expect(() => process.kill(pid, 0)).toThrow();
    registry = undefined;
  });

  it('bad settings name the key to fix', () => {
    expect(() => createRuntimeSync({ env: { OPSORCH_INCIDENTS_PROVIDER: 'tracker=plugin', OPSORCH_INCIDENTS_CONFIG: '{"args":["x"]}' }, logger: silentLogger })).toThrow(
      'invalid configuration at OPSORCH_INCIDENTS_CONFIG.command: missing; a string is required',
    );
  });
});
