import type { ProviderContext } from '../context.ts';

/**
 * What every provider is. Methods of a capability's SPI take the ProviderContext as their LAST argument
 * (the registry relies on it to apply timeouts and attribute errors). Batch methods (`getMany`) return
 * one slot per requested id, in key order: the record, or null when it does not exist.
 */
export interface ProviderBase {
  /** Provider kind, for example `demo`. */
  readonly kind: string;
  /** Configured instance name; prefix of every id this provider issues. */
  readonly instance: string;
  /** Optional reachability check (the `providers` query, `opsorch check`): resolves when the tool answers, throws why not. */
  checkHealth?(ctx: ProviderContext): Promise<void>;
  /** Optional: releases what the provider holds (child processes, sockets) when the server stops. */
  close?(): Promise<void>;
}
