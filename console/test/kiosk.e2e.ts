// Kiosk mode: with the gateway requiring credentials, the console acts with its one shared key only when
// told to, says so loudly at start-up, and shows it on every page.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { captureLogs } from '../../gateway/test/harness.ts';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { generateApiKey } from '../../gateway/src/security/index.ts';
import { consoleSettingsSchema } from '../server/settings.ts';
import { startConsoleInProcess } from './console-session.ts';

let gateway: RunningGateway;
let base: string;
const logs = captureLogs();

beforeAll(async () => {
  const { key, hash } = generateApiKey();
  ({ gateway, base } = await startConsoleInProcess({
    env: { OPSORCH_API_KEYS: JSON.stringify([{ name: 'wall-screen', hash, scopes: ['*:read'] }]), OPSORCH_AUDIT_SINKS: 'off' },
    logger: logs.logger,
    settings: consoleSettingsSchema.parse({ kiosk: { apiKey: key } }),
  }));
}, 240_000);

afterAll(() => gateway?.close());

it('acts with the kiosk key, warns at start-up and shows it on every page', async () => {
  const warning = logs.lines.map((line) => JSON.parse(line) as { level: number; msg: string }).find((line) => /KIOSK MODE/.test(line.msg));
  expect(warning?.level).toBe(40);
  const response = await fetch(`${base}/incidents`);
  expect(response.status).toBe(200);
  const html = await response.text();
  expect(html).toContain('Kiosk mode: everyone here acts with the console&#x27;s shared key');
  // The list arrived: the gateway took the key (without it every call is 401).
  expect(html).toContain('orders-db connection pool saturated');
  expect(html).not.toMatch(/UNAUTHENTICATED/);
});
