// The load benchmark's world: the demo world plus open incidents created through the demo tool's own
// createIncident, at the demo clock, so every process (gateway or subgraph) holds the same incidents with the
// same ids and times and every variant's answers can be compared byte for byte.
import { ANONYMOUS, silentLogger, type ProviderModule } from '@opsorch/adapters';
import { demo } from '../../../adapters/demo/index.ts';
import { demoAnchor } from '../../../adapters/demo/clock.ts';
import { services } from '../../../adapters/demo/world.ts';

export function loadTestWorld(extraIncidents: number): ProviderModule {
  const factories = demo.factories;
  return {
    ...demo,
    label: `${demo.label} + ${extraIncidents} open incidents`,
    factories: {
      ...factories,
      incidents: (settings, deps) => {
        const provider = factories.incidents!(settings, deps);
        const ctx = { signal: new AbortController().signal, logger: silentLogger, actor: ANONYMOUS, requestId: 'load-test-world', now: demoAnchor() };
        // The demo tool writes synchronously: every incident exists once this loop has run.
        for (let i = 0; i < extraIncidents; i++) {
          void provider.createIncident!({ title: `Load ${i}`, serviceId: services[i % services.length]!.id, severity: 'SEV4' }, ctx);
        }
        return provider;
      },
    },
  };
}
