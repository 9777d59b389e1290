// The capabilities come from the manifest (schema/src/capabilities.ts); the SPI layer only re-exports them.
export { CAPABILITIES, CAPABILITY_MANIFEST, capabilityEnvPrefix, isCapability, type Capability } from '@opsorch/schema/capabilities';

/**
 * Environment variables as OpsOrch reads them: a plain map. (`NodeJS.ProcessEnv` may be augmented by other
 * packages' global declarations with required keys, which would make `{}` an invalid environment.)
 */
export type Env = Readonly<Record<string, string | undefined>>;
