// rison-node ships no types: the one function the Discover links use.
declare module 'rison-node' {
  const rison: { encode(value: unknown): string };
  export default rison;
}
