/** A JSON Schema (2020-12) object, as tools carry them. */
export type JsonSchema = Record<string, unknown>;

/**
 * The four safety hints every OpsOrch tool must state (MCP `ToolAnnotations` makes them optional; we do not):
 * clients decide from them what to confirm with a person.
 */
export interface ToolSafety {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** One tool generated from a named operation in schema/operations/mcp/<toolset>.graphql. */
export interface OperationToolDefinition {
  /** snake_case of the operation name, for example `list_incidents`. */
  name: string;
  title: string;
  description: string;
  /** The operation file's name: `incidents`, `logs`... */
  toolset: string;
  operationName: string;
  operationType: 'query' | 'mutation';
  /** The operation and the fragments it uses, printed by graphql-js (the gateway's trusted-document form). */
  document: string;
  annotations: ToolSafety;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  /**
   * Where the list paged by `$after` sits in the answer (its `pageInfo.endCursor` becomes `nextCursor`) and
   * the variable holding its page size.
   */
  paging?: { path: string[]; firstVariable?: string };
}
