import { ProxyTracerProvider, trace } from '@opentelemetry/api';

/** The no-op provider the OpenTelemetry API hands out while no SDK is registered. */
const NO_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether an OpenTelemetry SDK is registered in this process. Until one is (OPSORCH_TRACING=otlp, decision 044),
 * every span is a no-op that still cost each request and each provider call its attributes, a context and a
 * closure (decision 045): code on those paths skips the span when this is false, which is exactly what the API
 * would have done.
 */
export function tracingRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NO_PROVIDER;
}
