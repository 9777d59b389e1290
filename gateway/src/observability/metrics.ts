// Prometheus metrics (prom-client): one Registry per server, so several servers in one process (tests) never
// mix their series. Scraped at GET /metrics.
import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { BreakerState, Capability, ProviderObserver } from '@opsorch/adapters';
import type { EventLoopLag } from './event-loop.ts';
import { FastCounter, FastHistogram } from './series.ts';

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open'];
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricsOptions {
  /** `gateway` or `subgraph` (a label on every series). */
  component: string;
  /** Reads the circuit state of every provider instance at scrape time (the current registry after a reload). */
  breakerStates?: () => { capability: Capability; instance: string; state: BreakerState }[];
  /** Operation names are chosen by clients: past this many distinct names, new ones count as `other` (default 500). */
  maxOperationLabels?: number;
  /** Event-loop lag, read at scrape time. */
  eventLoop?: EventLoopLag;
  /** Requests to the APIs running and waiting for a slot, and how many may run at once (turns.ts), read at scrape time. */
  requestSlots?: () => { running: number; waiting: number; limit: number };
}

export interface Metrics {
  registry: Registry;
  /** Give this to the ProviderRegistry: provider calls, errors, retries, dedup, circuit changes. */
  providerObserver: ProviderObserver;
  /** Apollo Server plugin: requests and latency per operation. */
  apolloPlugin: ApolloServerPlugin;
  /** A cache answered (hit) or did not (miss); `cache` names it (`subgraph_document`, `subgraph_fetch_in_flight`, `apq`, `provider_inflight`...). */
  cacheLookup(cache: string, hit: boolean): void;
  /** One HTTP response on a known route (unknown paths are `other`, so scanners cannot grow the series). */
  httpResponse(route: string, method: string, status: number): void;
  /** A configuration reload finished. */
  reloaded(result: 'ok' | 'error', generation: number): void;
  /** A connection was closed on arrival (createHardenedServer). */
  connectionRefused(reason: 'per_client' | 'max_connections'): void;
  /** A full collection ran to give memory back after load (heap.ts). */
  memoryReleased(): void;
  /** Prometheus text exposition. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ component: options.component });
  collectDefaultMetrics({ register: registry });

  // What every request or provider call counts is kept in place and read when scraped (series.ts, decision 045).
  const requests = new FastCounter({
    name: 'opsorch_graphql_requests_total',
    help: 'GraphQL operations answered, by operation name, type and result (ok, partial: data with errors, error: no data).',
    labelNames: ['operation', 'type', 'result'],
    registry,
  });
  const requestDuration = new FastHistogram({
    name: 'opsorch_graphql_request_duration_seconds',
    help: 'Time to answer a GraphQL operation, by operation name and type.',
    labelNames: ['operation', 'type'],
    buckets: LATENCY_BUCKETS,
    registry,
  });
  const graphqlErrors = new Counter({
    name: 'opsorch_graphql_errors_total',
    help: 'Errors in GraphQL answers, by extensions.code.',
    labelNames: ['code'],
    registers: [registry],
  });
  const http = new FastCounter({
    name: 'opsorch_http_responses_total',
    help: 'HTTP responses, by route, method and status (refusals before GraphQL, such as 401 or 429, included).',
    labelNames: ['route', 'method', 'status'],
    registry,
  });
  const providerCalls = new FastCounter({
    name: 'opsorch_provider_calls_total',
    help: 'Provider calls (a retried call counts once; a deduplicated read counts for each caller), by result: ok or the error code.',
    labelNames: ['capability', 'provider', 'method', 'result'],
    registry,
  });
  const providerDuration = new FastHistogram({
    name: 'opsorch_provider_call_duration_seconds',
    help: 'Time a provider call took, retries included.',
    labelNames: ['capability', 'provider', 'method'],
    buckets: LATENCY_BUCKETS,
    registry,
  });
  const providerErrors = new Counter({
    name: 'opsorch_provider_errors_total',
    help: 'Failed provider calls, by error code.',
    labelNames: ['capability', 'provider', 'code'],
    registers: [registry],
  });
  const providerRetries = new Counter({
    name: 'opsorch_provider_retries_total',
    help: 'Provider reads tried again after a transient failure, by the failure code.',
    labelNames: ['capability', 'provider', 'code'],
    registers: [registry],
  });
  const breakerTransitions = new Counter({
    name: 'opsorch_provider_circuit_transitions_total',
    help: 'Circuit breaker state changes per provider instance, by the state entered.',
    labelNames: ['capability', 'provider', 'state'],
    registers: [registry],
  });
  new Gauge({
    name: 'opsorch_provider_circuit_state',
    help: 'Circuit breaker state per provider instance: 1 for the current state (closed, open, half-open), 0 for the others.',
    labelNames: ['capability', 'provider', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { capability, instance, state } of options.breakerStates?.() ?? []) {
        for (const s of BREAKER_STATES) this.set({ capability, provider: instance, state: s }, s === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'opsorch_event_loop_lag_seconds',
    help: 'How long callbacks waited for the event loop over the last 10 to 20 seconds (stat: max or p99); /readyz fails above OPSORCH_READYZ_MAX_EVENT_LOOP_LAG_MS.',
    labelNames: ['stat'],
    registers: [registry],
    collect() {
      const lag = options.eventLoop?.recent();
      if (!lag) return;
      this.set({ stat: 'max' }, lag.maxMs / 1000);
      this.set({ stat: 'p99' }, lag.p99Ms / 1000);
    },
  });
  new Gauge({
    name: 'opsorch_api_requests',
    help: 'Requests to /graphql, REST and Core now, by state: running, or waiting for their turn (at most opsorch_api_requests_running_limit run at once).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const slots = options.requestSlots?.();
      if (!slots) return;
      this.set({ state: 'running' }, slots.running);
      this.set({ state: 'waiting' }, slots.waiting);
    },
  });
  new Gauge({
    name: 'opsorch_api_requests_running_limit',
    help: 'How many requests to the APIs may run at once: OPSORCH_MAX_RUNNING_REQUESTS, or the limit adapted to the core when that is 0.',
    registers: [registry],
    collect() {
      const slots = options.requestSlots?.();
      if (slots) this.set(slots.limit);
    },
  });
  const connectionsRefused = new Counter({
    name: 'opsorch_http_connections_refused_total',
    help: 'Connections closed on arrival: over the per-client limit (per_client) or the server limit (max_connections).',
    labelNames: ['reason'],
    registers: [registry],
  });
  const cache = new FastCounter({
    name: 'opsorch_cache_lookups_total',
    help: 'Cache lookups by cache and result (hit or miss).',
    labelNames: ['cache', 'result'],
    registry,
  });
  const memoryReleases = new Counter({
    name: 'opsorch_idle_memory_releases_total',
    help: 'Full garbage collections run once the process was quiet after load, to give memory back (OPSORCH_RELEASE_MEMORY_AFTER_QUIET_MS).',
    registers: [registry],
  });
  const reloads = new Counter({
    name: 'opsorch_config_reloads_total',
    help: 'Configuration and supergraph reloads, by result.',
    labelNames: ['result'],
    registers: [registry],
  });
  const generation = new Gauge({
    name: 'opsorch_config_generation',
    help: 'Generation of the configuration serving new requests (1 at start, +1 per successful reload).',
    registers: [registry],
  });
  generation.set(1);

  const operations = new Set<string>();
  const operationLabel = (name: string | null | undefined): string => {
    const label = name ?? 'anonymous';
    if (operations.has(label)) return label;
    if (operations.size >= (options.maxOperationLabels ?? 500)) return 'other';
    operations.add(label);
    return label;
  };

  const apolloPlugin: ApolloServerPlugin = {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(requestContext) {
          const operation = operationLabel(requestContext.operationName ?? requestContext.request.operationName);
          const type = requestContext.operation?.operation ?? 'unknown';
          const body = requestContext.response.body;
          const single = body.kind === 'single' ? body.singleResult : body.initialResult;
          const errors = single.errors ?? [];
          const result = errors.length === 0 ? 'ok' : single.data ? 'partial' : 'error';
          requests.inc(operation, type, result);
          requestDuration.observe((performance.now() - started) / 1000, operation, type);
          for (const error of errors) graphqlErrors.inc({ code: String(error.extensions?.code ?? 'INTERNAL') });
        },
      };
    },
  };

  const providerObserver: ProviderObserver = {
    call(event) {
      providerCalls.inc(event.capability, event.instance, event.method, event.code ?? 'ok');
      providerDuration.observe(event.durationMs / 1000, event.capability, event.instance, event.method);
      if (event.code) providerErrors.inc({ capability: event.capability, provider: event.instance, code: event.code });
    },
    retry(event) {
      providerRetries.inc({ capability: event.capability, provider: event.instance, code: event.code });
    },
    breaker(event) {
      breakerTransitions.inc({ capability: event.capability, provider: event.instance, state: event.state });
    },
    dedup(event) {
      cache.inc('provider_inflight', event.hit ? 'hit' : 'miss');
    },
  };

  return {
    registry,
    providerObserver,
    apolloPlugin,
    cacheLookup(name, hit) {
      cache.inc(name, hit ? 'hit' : 'miss');
    },
    httpResponse(route, method, status) {
      http.inc(route, method, String(status));
    },
    connectionRefused(reason) {
      connectionsRefused.inc({ reason });
    },
    memoryReleased() {
      memoryReleases.inc();
    },
    reloaded(result, current) {
      reloads.inc({ result });
      generation.set(current);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
