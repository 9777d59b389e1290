import { describe, it, expect } from 'vitest';
import { ANONYMOUS, silentLogger, type ProviderContext } from '../src/context.ts';
import { createDemoDeploymentProvider } from './deployments.ts';
import { services } from './world.ts';

const ctx: ProviderContext = { signal: new AbortController().signal, logger: silentLogger, actor: ANONYMOUS, requestId: 't', now: new Date() };
const provider = createDemoDeploymentProvider({}, { instance: 'demo', kind: 'demo', logger: silentLogger });

describe('demo deployments provider', () => {
  it('agrees with the catalog: the newest production deploy of every service is its running version', async () => {
    const pages = await provider.deploymentsForServices(
      services.map((s) => ({ serviceId: s.id, page: { first: 1, after: null } })),
      { environment: 'production' },
      ctx,
    );
    pages.forEach((page, i) => {
      if (page.items.length > 0) expect(page.items[0]!.version).toBe(services[i]!.version);
    });
  });

  it('chains previousVersion to the version deployed before in the same environment', async () => {
    const [history] = await provider.deploymentsForServices([{ serviceId: 'checkout', page: { first: 200, after: null } }], {}, ctx);
    for (const environment of ['production', 'staging']) {
      const deploys = history!.items.filter((d) => d.environment === environment);
      for (let i = 0; i + 1 < deploys.length; i++) expect(deploys[i]!.previousVersion).toBe(deploys[i + 1]!.version);
      expect(deploys.at(-1)!.previousVersion).toBeNull();
    }
  });

  it('answers ids of other instances as unknown', async () => {
    expect(await provider.getMany(['github:dep-checkout-production-2.14.0-47'], ctx)).toEqual([null]);
  });
});
