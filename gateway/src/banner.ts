// What `opsorch start` tells a person at a terminal, besides the JSON log: where things are, and which
// capabilities answer with made-up data.
import type { DemoCapability } from '@opsorch/adapters';
import { CAPABILITIES } from '@opsorch/schema/capabilities';

export interface BannerOptions {
  /** Where the gateway listens, for example `http://localhost:4000`. */
  baseUrl: string;
  console: boolean;
  mcp: boolean;
  demo: readonly DemoCapability[];
}

/** Two short lines: the URLs, then what runs on demo data (or that nothing does). */
export function startupBanner(options: BannerOptions): string {
  const places = [
    options.console ? `console ${options.baseUrl}/` : null,
    `GraphiQL ${options.baseUrl}/graphql`,
    options.mcp ? `MCP ${options.baseUrl}/mcp` : null,
    `metrics ${options.baseUrl}/metrics`,
  ].filter(Boolean);
  const demo = options.demo.map((d) => d.capability);
  const data =
    demo.length === 0
      ? 'Every capability answers from your tools.'
      : demo.length === CAPABILITIES.length && options.demo.every((d) => !d.chosen)
        ? 'Demo data: nothing is configured, every capability answers from the built-in demo world (README: Configuration).'
        : `Demo data: ${demo.join(', ')} answer from the built-in demo world; the rest from your tools.`;
  return `OpsOrch is up: ${places.join(' · ')}\n${data}\n`;
}
