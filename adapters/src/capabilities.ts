/** Every capability OpsOrch federates; one subgraph, one SPI and one env-var prefix each. */
export const CAPABILITIES = [
  'incidents',
  'alerts',
  'logs',
  'metrics',
  'tickets',
  'messaging',
  'services',
  'teams',
  'deployments',
  'orchestration',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

export function isCapability(value: string): value is Capability {
  return (CAPABILITIES as readonly string[]).includes(value);
}

/**
 * Environment variables as OpsOrch reads them: a plain map. (`NodeJS.ProcessEnv` may be augmented by other
 * packages' global declarations with required keys, which would make `{}` an invalid environment.)
 */
export type Env = Readonly<Record<string, string | undefined>>;
