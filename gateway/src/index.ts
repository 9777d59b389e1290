export * from './server.ts';
export * from './subgraph-server.ts';
export * from './request-context.ts';
export { createLogger } from './logger.ts';
