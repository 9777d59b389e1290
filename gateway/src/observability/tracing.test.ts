import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { tracingRegistered } from '@opsorch/adapters';
import { activeTraceIds, startTracing } from './tracing.ts';

describe('tracing off until a server starts it', () => {
  it('reports no SDK until one is registered, then the active span of every request', async () => {
    expect(tracingRegistered()).toBe(false);
    expect(trace.getTracer('t').startActiveSpan('off', (span) => [span.isRecording(), activeTraceIds()])).toEqual([false, null]);

    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ env: {}, serviceName: 'test', exporter });
    expect(tracingRegistered()).toBe(true);
    const ids = trace.getTracer('t').startActiveSpan('on', (span) => {
      span.end();
      return [span.spanContext().traceId, activeTraceIds()?.traceId];
    });
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[1]).toBe(ids[0]);
    await tracing.close();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['on']);
  });
});
