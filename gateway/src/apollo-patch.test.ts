import { createRequire } from 'node:module';
import { ApolloServer as EsmApolloServer, type ApolloServerOptionsWithGateway, type BaseContext } from '@apollo/server';
import { buildSchema as esmBuildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';

// patches/@apollo+server+*.patch (applied by `npm ci`'s postinstall): the context Apollo Server hands the gateway
// for each request gets its HTTP status from a class, not from a getter and setter written into each request's
// object; those made V8 keep every request's objects into the old generation (decision 036).
const require = createRequire(import.meta.url);
const builds = [
  { name: 'ESM', ApolloServer: EsmApolloServer, buildSchema: esmBuildSchema },
  { name: 'CommonJS', ApolloServer: require('@apollo/server').ApolloServer as typeof EsmApolloServer, buildSchema: require('graphql').buildSchema as typeof esmBuildSchema },
];

describe.each(builds)("Apollo Server's gateway request context ($name build)", ({ ApolloServer, buildSchema }) => {
  it('lets the gateway set the HTTP status, through an accessor every request shares', async () => {
    const seen: { status?: number; headers: unknown }[] = [];
    const schema = buildSchema('type Query { ok: Boolean }');
    type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
    let loaded: Parameters<Gateway['onSchemaLoadOrUpdate']>[0] = () => {};
    const gateway: Gateway = {
      async load() {
        loaded({ apiSchema: schema, coreSupergraphSdl: 'type Query { ok: Boolean }' });
        return {
          async executor(context) {
            const http = context.response!.http!;
            seen.push(http);
            http.status = 203;
            return { data: { ok: http.status === 203 } };
          },
        };
      },
      onSchemaLoadOrUpdate(callback) {
        loaded = callback;
        return () => {};
      },
      async stop() {},
    };
    const server = new ApolloServer({ gateway });
    await server.start();
    try {
      for (let i = 0; i < 2; i++) {
        const response = await server.executeOperation({ query: '{ ok }' });
        expect(response.http.status).toBe(203);
        expect(response.body).toMatchObject({ kind: 'single', singleResult: { data: { ok: true } } });
      }
      const [first, second] = seen as [(typeof seen)[number], (typeof seen)[number]];
      expect(Object.getOwnPropertyDescriptor(first, 'status'), 'the patch is not applied: run `npm ci` (postinstall)').toBeUndefined();
      expect(Object.getPrototypeOf(first)).toBe(Object.getPrototypeOf(second));
      expect(first.headers).not.toBe(second.headers);
    } finally {
      await server.stop();
    }
  });
});

// patches/@apollo+utils.createhash+*.patch and patches/@apollo+server++@apollo+utils.createhash+*.patch: Apollo
// Server hashes every request's query text, and the gateway every named operation's plan key, through
// @apollo/utils.createhash, which looked `crypto` up through the module loader on each call. tsx's resolver hooks
// that loader, so the lookup cost about 3 % of the gateway's CPU on a light query (decision 044).
const Module = require('node:module') as { _load: (...args: unknown[]) => unknown };
const createHashCopies = ['@apollo/server', '@apollo/gateway'].map((owner) => {
  const path = createRequire(require.resolve(owner)).resolve('@apollo/utils.createhash');
  return { owner, path, createHash: (require(path) as { createHash: (kind: string) => import('node:crypto').Hash }).createHash };
});

describe.each(createHashCopies)('the @apollo/utils.createhash that $owner uses', ({ createHash }) => {
  it('hashes with node:crypto, without asking the module loader on each call', async () => {
    const { createHash: nodeHash } = await import('node:crypto');
    const load = Module._load;
    let loads = 0;
    Module._load = function (this: unknown, ...args: unknown[]) {
      loads++;
      return load.apply(this, args);
    };
    try {
      const digest = createHash('sha256').update('{ __typename }').digest('hex');
      expect(digest).toBe(nodeHash('sha256').update('{ __typename }').digest('hex'));
    } finally {
      Module._load = load;
    }
    expect(loads, 'the patch is not applied: run `npm ci` (postinstall)').toBe(0);
  });
});

// patches/@apollo+gateway+*.patch: importing @apollo/gateway loaded what only its usage report to Apollo needs (off in
// OpsOrch unless APOLLO_TELEMETRY_DISABLED=false: the OpenTelemetry metrics SDK, the incubating semantic conventions,
// four clouds' resource detectors), make-fetch-happen, which only a data source or a managed-federation manager
// given no fetcher uses, and @apollo/composition, which only the managers that compose use: about 15 MiB of every
// gateway's heap (decision 044).
describe("@apollo/gateway's optional packages", () => {
  it('are not loaded with the gateway', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = "require('@apollo/gateway'); console.log(JSON.stringify(Object.keys(require.cache)))";
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: import.meta.dirname, encoding: 'utf8' })) as string[];
    expect(loaded.some((path) => path.includes('/@apollo/gateway/')), 'the probe did not load @apollo/gateway').toBe(true);
    const optional = loaded.filter((path) => /\/@opentelemetry\/(sdk-metrics|resource-detector-[a-z-]+|exporter-metrics-otlp-http)\/|index-incubating|\/make-fetch-happen\/|\/@apollo\/composition\//.test(path));
    expect(optional, 'the patch is not applied: run `npm ci` (postinstall)').toEqual([]);
  });

  it('still gives a data source without a fetcher of its own the default one', () => {
    const { RemoteGraphQLDataSource } = require('@apollo/gateway') as typeof import('@apollo/gateway');
    const own = async () => new Response('{}');
    expect(typeof new RemoteGraphQLDataSource({ url: 'http://127.0.0.1:1/graphql' }).fetcher).toBe('function');
    expect(new RemoteGraphQLDataSource({ url: 'http://127.0.0.1:1/graphql', fetcher: own as never }).fetcher).toBe(own);
  });

  it('still builds its report when one is made', async () => {
    const gatewayRequire = createRequire(require.resolve('@apollo/gateway'));
    const { createDataCollectionMeterProvider } = gatewayRequire('./utilities/opentelemetry.js') as {
      createDataCollectionMeterProvider(exporter: unknown): { forceFlush(): Promise<void>; shutdown(): Promise<void> };
    };
    const metrics = gatewayRequire('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
    const exporter = new metrics.InMemoryMetricExporter(metrics.AggregationTemporality.CUMULATIVE);
    const provider = createDataCollectionMeterProvider(exporter);
    try {
      await provider.forceFlush();
      const names = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)));
      expect(names).toEqual(expect.arrayContaining(['process.uptime', 'system.cpu.frequency', 'system.cpu.logical.count', 'system.memory.limit']));
    } finally {
      await provider.shutdown();
    }
  });
});
