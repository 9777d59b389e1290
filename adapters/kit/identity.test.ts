// Service identity: a tool's references join the catalog through aliases, the catalog's externalRefs, and (when
// the tool's references are free text) the catalog's own ids.
import { describe, expect, it } from 'vitest';
import { ANONYMOUS, silentLogger, type ProviderContext } from '../src/context.ts';
import type { ServiceCatalog } from '../src/provider.ts';
import type { ServiceRecord } from '../src/spi/services.ts';
import { ServiceIdentity } from './identity.ts';

const ctx: ProviderContext = { signal: new AbortController().signal, logger: silentLogger, actor: ANONYMOUS, requestId: 'r', now: new Date() };

function catalog(calls: string[]): ServiceCatalog {
  const entries: Record<string, Partial<ServiceRecord>> = { checkout: { id: 'checkout', externalRefs: [{ system: 'opsgenie', id: 'CHK' }] }, cart: { id: 'cart', externalRefs: [] } };
  return {
    async resolveExternalRefs(refs) {
      calls.push(`refs ${refs.map((r) => r.id).join(',')}`);
      return refs.map((r) => (r.system === 'opsgenie' && r.id === 'CHK' ? 'checkout' : null));
    },
    async getMany(ids) {
      calls.push(`getMany ${ids.join(',')}`);
      return ids.map((id) => (entries[id] as ServiceRecord | undefined) ?? null);
    },
    async servicesOwnedBy(teams) {
      return teams.map(() => []);
    },
  };
}

describe('ServiceIdentity', () => {
  it('maps through aliases, then externalRefs; a catalog id alone maps only when asked to', async () => {
    const calls: string[] = [];
    const strict = new ServiceIdentity({ system: 'opsgenie', aliases: { 'cart-svc': 'cart' }, catalog: catalog(calls) });
    expect(Object.fromEntries(await strict.toCanonical(['cart-svc', 'CHK', 'cart', 'nope'], ctx))).toEqual({ 'cart-svc': 'cart', CHK: 'checkout', cart: null, nope: null });
    expect(calls).toEqual(['refs CHK,cart,nope']);

    const lenient = new ServiceIdentity({ system: 'opsgenie', aliases: {}, catalog: catalog(calls), acceptCanonicalIds: true });
    expect(Object.fromEntries(await lenient.toCanonical(['CHK', 'cart', 'nope'], ctx))).toEqual({ CHK: 'checkout', cart: 'cart', nope: null });
    calls.length = 0;
    await lenient.toCanonical(['CHK', 'cart', 'nope'], ctx);
    expect(calls).toEqual([]); // remembered
  });
});
