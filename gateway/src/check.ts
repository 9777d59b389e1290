// `opsorch check`: validates the configuration, reaches every provider instance and says so with an exit code
// a deploy pipeline can act on (0 all up, 1 some provider down, 2 configuration invalid).
import { loadConfigAsync, ProviderRegistry, redactSecrets, silentLogger, type InstanceHealth, type Logger } from '@opsorch/adapters';
import { BUILTIN_PROVIDERS } from '@opsorch/adapters/builtin';

export const CHECK_EXIT = { ok: 0, providerDown: 1, badConfiguration: 2 } as const;

export interface CheckOptions {
  env?: NodeJS.ProcessEnv;
  json?: boolean;
  logger?: Logger;
  write?: (text: string) => void;
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
  let registry: ProviderRegistry;
  try {
    registry = new ProviderRegistry({
      config: await loadConfigAsync(options.env ?? process.env),
      modules: BUILTIN_PROVIDERS,
      logger: options.logger ?? silentLogger,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (options.json) out(`${JSON.stringify({ ok: false, configuration: { valid: false, error: message }, providers: [] }, null, 2)}\n`);
    else out(`configuration invalid: ${message}\n`);
    return CHECK_EXIT.badConfiguration;
  }
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
      out(`${JSON.stringify({ ok: down.length === 0, configuration: { valid: true }, providers }, null, 2)}\n`);
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
      out(
        down.length === 0
          ? `configuration valid; all ${results.length} provider instances answer\n`
          : `configuration valid; ${down.length} of ${results.length} provider instances DOWN: ${down.map((d) => `${d.capability}/${d.instance}`).join(', ')}\n`,
      );
    }
    return down.length === 0 ? CHECK_EXIT.ok : CHECK_EXIT.providerDown;
  } finally {
    await registry.close();
  }
}
