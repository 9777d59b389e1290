export * from './event-loop.ts';
export * from './health.ts';
export * from './metrics.ts';
export * from './request-scope.ts';
export * from './tracing.ts';
