// One server of the load benchmark, in a process of its own (load.bench.ts pins it to a core and drives it):
//   serve.ts gateway ours|stock     OpsOrch's gateway with our data source or @apollo/gateway's LocalGraphQLDataSource;
//                                   subgraphs in OPSORCH_SUBGRAPH_URLS are reached over HTTP, as in production
//   serve.ts subgraph <name>        `opsorch subgraph <name>`
//   serve.ts apollo <supergraph>    stock @apollo/gateway + @apollo/server over the subgraphs named in the file
// Every OpsOrch process serves the load-test world (world.ts). The URL is written to BENCH_READY_FILE; SIGTERM
// stops the server and exits, so `--cpu-prof` can write its profile.
import { writeFileSync, readFileSync } from 'node:fs';
import { applyHeapPolicy } from '../../src/heap.ts';
import { startGateway } from '../../src/server.ts';
import { startSubgraphServer } from '../../src/subgraph-server.ts';
import { loadTestWorld } from './world.ts';

const [role, argument] = process.argv.slice(2);
const world = { demo: loadTestWorld(Number(process.env.BENCH_EXTRA_INCIDENTS ?? 100)) };
const readyFile = process.env.BENCH_READY_FILE;
if (!readyFile) throw new Error('BENCH_READY_FILE is not set');

async function start(): Promise<{ url: string; close(): Promise<void> }> {
  // Our processes run with the heap policies of `opsorch start` and `opsorch subgraph` (growth, no pretenuring, memory
  // given back after load); stock Apollo with Node's own.
  if (role === 'gateway' || role === 'subgraph') applyHeapPolicy();
  if (role === 'gateway') {
    if (argument !== 'ours' && argument !== 'stock') throw new Error('serve.ts gateway ours|stock');
    return startGateway({ port: 0, host: '127.0.0.1', extraProviders: world, stockLocalDataSource: argument === 'stock', releaseMemoryWhenIdle: true });
  }
  if (role === 'subgraph') return startSubgraphServer({ name: argument!, port: 0, host: '127.0.0.1', extraProviders: world, releaseMemoryWhenIdle: true });
  if (role === 'apollo') {
    const { ApolloGateway } = await import('@apollo/gateway');
    const { ApolloServer } = await import('@apollo/server');
    const { startStandaloneServer } = await import('@apollo/server/standalone');
    const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: readFileSync(argument!, 'utf8') }) });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
    return { url: new URL('/graphql', url).href, close: () => server.stop() };
  }
  throw new Error(`serve.ts: unknown role "${role}"`);
}

const server = await start();
writeFileSync(readyFile, server.url);
process.once('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});
