// OpenTelemetry traces: HTTP request → @apollo/gateway's own spans (gateway.request, gateway.plan, gateway.fetch)
// → the subgraph (in-process, or over HTTP with W3C traceparent) → each provider call (the registry's spans).
// Off by default: nothing is registered and the API stays a no-op until OPSORCH_TRACING=otlp (or a test exporter).
import { context, isSpanContextValid, propagation, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { createRequire } from 'node:module';
import type { NodeTracerProvider, ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { Context } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { tracingRegistered, type Env } from '@opsorch/adapters';
import { waitedMs } from '../turns.ts';

const tracer = trace.getTracer('@opsorch/gateway');

// The SDK, its resource and the OTLP exporter load when a server starts exporting: a process that never traces (the
// default) does not hold them (decision 044).
const require = createRequire(import.meta.url);
const sdk = () => require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');

/**
 * The process's tracer provider can be registered once; servers come and go (tests, hot reload), so each adds
 * its own span processor here and removes it when it stops.
 */
class SpanProcessorSwitchboard implements SpanProcessor {
  readonly processors = new Set<SpanProcessor>();
  onStart(span: Span, parent: Context): void {
    for (const p of this.processors) p.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.processors) p.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all([...this.processors].map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all([...this.processors].map((p) => p.shutdown()));
  }
}

const switchboard = new SpanProcessorSwitchboard();
let provider: NodeTracerProvider | null = null;

/** Whether any server of this process exports spans now (the gateway's own plan execution then leaves plans to Apollo's, which opens them). */
export function tracingActive(): boolean {
  return switchboard.processors.size > 0;
}

export interface TracingOptions {
  env: Env;
  /** `service.name` of the spans (the first server of the process names it). */
  serviceName: string;
  /** Export to this exporter instead of OTLP, whatever the environment says (tests: InMemorySpanExporter). */
  exporter?: SpanExporter;
}

export interface Tracing {
  enabled: boolean;
  /** Where spans go, for the start-up log (never with credentials). */
  destination: string | null;
  /** Flushes what is buffered and detaches this server's exporter. */
  close(): Promise<void>;
}

/** Reads OPSORCH_TRACING (`off` | `otlp`), the OTLP endpoint and headers; a bad value names the variable. */
function otlpExporterFrom(env: Env): { exporter: SpanExporter; url: string } | null {
  const mode = (env.OPSORCH_TRACING ?? 'off').trim();
  if (mode === 'off' || mode === '') return null;
  if (mode !== 'otlp') throw new Error(`OPSORCH_TRACING: expected "off" or "otlp", got "${mode}"`);
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : 'http://localhost:4318/v1/traces');
  try {
    new URL(url);
  } catch {
    throw new Error(`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT: "${url}" is not a URL`);
  }
  const headers = Object.fromEntries(
    (env.OTEL_EXPORTER_OTLP_HEADERS ?? '')
      .split(',')
      .map((pair) => pair.split('=').map((part) => decodeURIComponent(part.trim())))
      .filter((pair): pair is [string, string] => pair.length === 2 && pair[0] !== ''),
  );
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  return { exporter: new OTLPTraceExporter({ url, headers }), url };
}

/** Starts exporting this server's spans when configured; the first call in a process registers the provider. */
export function startTracing(options: TracingOptions): Tracing {
  let processor: SpanProcessor;
  let destination: string;
  if (options.exporter) {
    processor = new (sdk().SimpleSpanProcessor)(options.exporter);
    destination = 'custom exporter';
  } else {
    const otlp = otlpExporterFrom(options.env);
    if (!otlp) return { enabled: false, destination: null, close: async () => {} };
    processor = new (sdk().BatchSpanProcessor)(otlp.exporter);
    destination = new URL(otlp.url).origin + new URL(otlp.url).pathname;
  }
  if (!provider) {
    const ratio = Number(options.env.OPSORCH_TRACE_SAMPLE_RATIO ?? '1');
    if (!(ratio >= 0 && ratio <= 1)) throw new Error(`OPSORCH_TRACE_SAMPLE_RATIO: expected a number from 0 to 1, got "${options.env.OPSORCH_TRACE_SAMPLE_RATIO}"`);
    const { NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } = sdk();
    const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': options.env.OTEL_SERVICE_NAME ?? options.serviceName }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
      spanProcessors: [switchboard],
    });
    // Registers the AsyncLocalStorage context manager and the W3C trace-context propagator.
    provider.register();
  }
  switchboard.processors.add(processor);
  return {
    enabled: true,
    destination,
    async close() {
      await processor.forceFlush().catch(() => {});
      switchboard.processors.delete(processor);
      // A caller's own exporter is the caller's to shut down.
      if (!options.exporter) await processor.shutdown().catch(() => {});
    },
  };
}

/**
 * A SERVER span per HTTP request, continuing the caller's trace when it sent `traceparent`; everything the
 * request does runs inside it. `name` prefixes the span (`gateway`, `subgraph incidents`).
 */
export function traceHttpRequests(name: string): RequestHandler {
  return (req, res, next) => {
    // No SDK registered: the span, its context and its listeners would all be the API's no-ops (decision 045).
    if (!tracingRegistered()) return next();
    const parent = propagation.extract(context.active(), req.headers);
    const path = req.originalUrl.split('?')[0]!;
    // A request to the APIs waited its turn before it got here (src/turns.ts): its span starts at its arrival.
    const waited = waitedMs(req);
    const span = tracer.startSpan(
      `${req.method} ${path}`,
      {
        kind: SpanKind.SERVER,
        ...(waited > 0 ? { startTime: Date.now() - waited } : {}),
        attributes: {
          'http.request.method': req.method,
          'url.path': path,
          'opsorch.server': name,
          ...(typeof req.headers['x-request-id'] === 'string' ? { 'opsorch.request_id': req.headers['x-request-id'] } : {}),
        },
      },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('opsorch.client_disconnected', true);
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}

/** Adds `traceparent` (and `tracestate`) of the active span to headers sent to a subgraph. */
export function injectTraceContext(headers: { set(name: string, value: string): void }): void {
  propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
}

/** Trace and span id of the active, sampled span (log lines carry them to join logs and traces). */
export function activeTraceIds(): { traceId: string; spanId: string } | null {
  if (!tracingRegistered()) return null;
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext) || !(spanContext.traceFlags & TraceFlags.SAMPLED)) return null;
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}
