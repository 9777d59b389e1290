// `opsorch check`: validates the configuration, says which capabilities run on demo data, reaches every provider
// instance and says so with an exit code a deploy pipeline can act on (0 all up, 1 some provider down, 2
// configuration invalid, or strict mode with a capability on demo data).
import { describeDemo, redactSecrets, silentLogger, type Env, type InstanceHealth, type Logger, type ProviderModule } from '@opsorch/adapters';
import { createRuntime, type Runtime } from './runtime.ts';

export const CHECK_EXIT = { ok: 0, providerDown: 1, badConfiguration: 2 } as const;

export interface CheckOptions {
  env?: Env;
  json?: boolean;
  logger?: Logger;
  write?: (text: string) => void;
  /** Provider kinds beyond the registered ones (tests). */
  extraProviders?: Readonly<Record<string, ProviderModule>>;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

function describe(h: InstanceHealth): string {
  if (h.error) return `${h.error.code}: ${h.error.message}`;
  return h.checked ? '' : 'in-process, nothing to reach';
}

/** Runs the check and answers the exit code; everything printed is scrubbed of secrets. */
export async function runCheck(options: CheckOptions = {}): Promise<number> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const out = (text: string) => write(redactSecrets(text));
  let runtime: Runtime;
  try {
    // The same composition as the gateway's, minus security; each tool is asked once (no retries).
    runtime = await createRuntime({ env: options.env ?? process.env, logger: options.logger ?? silentLogger, extraProviders: options.extraProviders, plainCalls: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (options.json) out(`${JSON.stringify({ ok: false, configuration: { valid: false, error: message }, demo: [], providers: [] }, null, 2)}\n`);
    else out(`configuration invalid: ${message}\n`);
    return CHECK_EXIT.badConfiguration;
  }
  const { settings, registry } = runtime;
  try {
    const results = await registry.checkHealth({ requestId: 'opsorch-check' });
    const down = results.filter((r) => r.status === 'DOWN');
    if (options.json) {
      const providers = results.map((r) => ({
        capability: r.capability,
        instance: r.instance,
        provider: r.kind,
        health: r.status,
        checked: r.checked,
        latencyMs: r.latencyMs === null ? null : Math.round(r.latencyMs * 100) / 100,
        error: r.error,
      }));
      const json = { ok: down.length === 0, configuration: { valid: true, strict: settings.strict, warnings: settings.warnings }, demo: settings.demo, providers };
      out(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      const rows = [
        ['CAPABILITY', 'INSTANCE', 'PROVIDER', 'HEALTH', 'LATENCY', 'DETAIL'],
        ...results.map((r) => [
          r.capability,
          r.instance,
          r.kind,
          r.status,
          r.latencyMs === null ? '-' : `${r.latencyMs.toFixed(0)} ms`,
          describe(r),
        ]),
      ];
      out(`${table(rows)}\n\n`);
      for (const warning of settings.warnings) out(`warning: ${warning}\n`);
      const demo = describeDemo(settings.demo);
      if (demo) out(`${demo}\n`);
      out(
        down.length === 0
          ? `configuration valid; all ${results.length} provider instances answer\n`
          : `configuration valid; ${down.length} of ${results.length} provider instances DOWN: ${down.map((d) => `${d.capability}/${d.instance}`).join(', ')}\n`,
      );
    }
    return down.length === 0 ? CHECK_EXIT.ok : CHECK_EXIT.providerDown;
  } finally {
    await runtime.close();
  }
}
