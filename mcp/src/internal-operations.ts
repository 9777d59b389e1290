import { readFileSync } from 'node:fs';
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';
import type { Caller, GatewayClient } from './gateway-client.ts';
import { describeError } from './results.ts';

const FILE = new URL('./operations/resources.graphql', import.meta.url);

let operations: Map<string, string> | undefined;

/** The printed documents of mcp/src/operations/resources.graphql by name (the trusted-document form). */
function documents(): Map<string, string> {
  if (!operations) {
    const document = parse(readFileSync(FILE, 'utf8'));
    operations = new Map(
      document.definitions
        .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
        .map((d) => [d.name!.value, print({ kind: Kind.DOCUMENT, definitions: [d] })]),
    );
  }
  return operations;
}

/** Runs one of the server's own operations; throws with the gateway's errors described when nothing came back. */
export async function runInternal<T>(gateway: GatewayClient, caller: Caller, name: string, variables: Record<string, unknown> = {}): Promise<T> {
  const query = documents().get(name);
  if (!query) throw new Error(`no internal operation ${name}`);
  const response = await gateway({ query, variables, operationName: name }, caller);
  if (!response.data) throw new Error((response.errors ?? []).map((e) => describeError(e)).join(' | ') || `${name} returned nothing`);
  return response.data as T;
}
