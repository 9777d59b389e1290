import { badInput } from './errors.ts';

/**
 * Resource ids are opaque to clients but route themselves: `<providerInstance>:<nativeId>`, so
 * `incident(id:)` reaches the instance that owns it when a capability has several providers.
 * Canonical catalog ids (service and team slugs, people's emails) are not prefixed.
 */
export function composeId(instance: string, nativeId: string): string {
  return `${instance}:${nativeId}`;
}

export interface ParsedId {
  instance: string;
  nativeId: string;
}

export function parseId(id: string, what = 'id'): ParsedId {
  const colon = id.indexOf(':');
  if (colon <= 0 || colon === id.length - 1) {
    throw badInput(`${what} "${id}" is not an OpsOrch id: expected "<providerInstance>:<nativeId>", for example "demo:Q1ABC23"`);
  }
  return { instance: id.slice(0, colon), nativeId: id.slice(colon + 1) };
}
