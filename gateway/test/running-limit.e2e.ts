// How many requests run at once (decision 049): the adaptive limit never throttles requests that wait on slow
// tools, and a fixed OPSORCH_MAX_RUNNING_REQUESTS holds the rest back until a running request ends.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { controlled, type Control } from './controlled-provider.ts';
import { gql, metricSample, startTestGateway, waitFor } from './harness.ts';

// Each request asks for a different page size, so no two share a provider call (identical reads are deduplicated).
const servicesQuery = (first: number) => `query Services { services(first: ${first}) { nodes { id } } }`;

let gateway: RunningGateway | undefined;
let release: () => void = () => {};
afterEach(async () => {
  release();
  await gateway?.close();
  gateway = undefined;
});

/** A services provider whose calls all wait until `release()`; `calls()` counts the calls that reached it. */
function heldServices(): { control: Control; calls: () => number } {
  const released = new Promise<void>((resolve) => (release = resolve));
  const control: Control = { mode: { kind: 'held', released }, calls: {} };
  return { control, calls: () => Object.values(control.calls).reduce((sum, n) => sum + n, 0) };
}

const metric = async (series: string) => metricSample(await (await fetch(new URL('/metrics', gateway!.url))).text(), series);

describe('requests running at once', () => {
  it('the adaptive limit grows past its start while requests wait on a slow tool and the core is idle', async () => {
    const services = heldServices();
    gateway = await startTestGateway({ env: { OPSORCH_SERVICES_PROVIDER: 'ctl' }, extraProviders: { ctl: controlled(services.control) } });
    // More than the limit starts with (32): all of them reach the tool while it holds every call.
    const answers = Array.from({ length: 100 }, (_, i) => gql(gateway!.url, servicesQuery(i + 1)));
    await waitFor(() => services.calls() === 100, 15_000, () => `100 calls to reach the tool (${services.calls()} did)`);
    // The limit itself is not read here: a window the machine keeps busy may shrink it below what already runs.
    expect(await metric('opsorch_api_requests{state="running"')).toBe(100);
    release();
    const bodies = await Promise.all(answers);
    expect(bodies.map((body) => body.errors)).toEqual(bodies.map(() => undefined));
    const all = Math.max(...bodies.map((body) => body.data.services.nodes.length));
    expect(bodies.map((body) => body.data.services.nodes.length)).toEqual(bodies.map((_, i) => Math.min(i + 1, all)));
    // A slot is given back when its response closes, just after the client has the answer.
    for (let running = -1; running !== 0; await new Promise((resolve) => setTimeout(resolve, 20))) {
      running = await metric('opsorch_api_requests{state="running"');
    }
  });

  it('OPSORCH_MAX_RUNNING_REQUESTS fixes it: the others wait their turn, and every request is answered', async () => {
    const services = heldServices();
    gateway = await startTestGateway({ env: { OPSORCH_SERVICES_PROVIDER: 'ctl', OPSORCH_MAX_RUNNING_REQUESTS: '5' }, extraProviders: { ctl: controlled(services.control) } });
    const answers = Array.from({ length: 20 }, (_, i) => gql(gateway!.url, servicesQuery(i + 1)));
    await waitFor(() => services.calls() === 5, 15_000, () => `5 calls to reach the tool (${services.calls()} did)`);
    // Held there: nothing else starts while five run, whatever the core does meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(services.calls()).toBe(5);
    expect(await metric('opsorch_api_requests{state="waiting"')).toBe(15);
    expect(await metric('opsorch_api_requests_running_limit')).toBe(5);
    release();
    const bodies = await Promise.all(answers);
    expect(bodies.map((body) => body.errors)).toEqual(bodies.map(() => undefined));
    expect(services.calls()).toBe(20);
  });

  it('a bad OPSORCH_MAX_RUNNING_REQUESTS stops start-up and names the variable', async () => {
    await expect(startTestGateway({ env: { OPSORCH_MAX_RUNNING_REQUESTS: 'lots' } })).rejects.toThrow(
      'OPSORCH_MAX_RUNNING_REQUESTS: expected a whole number of at least 0, got "lots"',
    );
  });
});
