export * from './command.ts';
export * from './gateway-client.ts';
export * from './http.ts';
export * from './server.ts';
export * from './toolsets.ts';
export type * from './tool-definition.ts';
export { OPERATION_TOOLS } from './generated/tools.ts';
export { DEFAULT_MAX_RESULT_CHARS } from './results.ts';
export { checkArguments } from './operation-tools.ts';
