export * from './batching.ts';
export * from './connection.ts';
export * from './context.ts';
export * from './idempotency.ts';
export * from './subgraph.ts';
