// GraphQL Code Generator plugin: writes the trusted-documents manifest (Apollo's persisted query manifest
// format) from the operations of the console and the MCP server. Plain JavaScript because codegen loads
// plugins with Node's own import, without a TypeScript loader.
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { Kind, print, visit } from 'graphql';

/** Which client an operation file belongs to; fragments are looked up within the same client first. */
function clientOf(location) {
  const path = relative(process.cwd(), location ?? '').split('\\').join('/');
  if (path.startsWith('schema/operations/')) return 'schema/operations';
  return path.split('/')[0] ?? '';
}

function fragmentsUsedBy(node, fragments, client, found = new Map()) {
  visit(node, {
    FragmentSpread(spread) {
      const name = spread.name.value;
      if (found.has(name)) return;
      const candidates = fragments.get(name) ?? [];
      const fragment = candidates.find((f) => f.client === client) ?? candidates[0];
      if (!fragment) throw new Error(`fragment ${name} is used but defined in no operation file`);
      found.set(name, fragment.node);
      fragmentsUsedBy(fragment.node, fragments, client, found);
    },
  });
  return found;
}

/**
 * Every operation becomes `{ id, name, type, body }`: `body` is the operation and the fragments it uses,
 * printed by graphql-js (fragments sorted by name), and `id` the SHA-256 of `body`, which is also the hash
 * an APQ client sends. Sorted by name then id so the file only changes when an operation does.
 */
export function plugin(_schema, documents) {
  const fragments = new Map();
  const operations = [];
  for (const file of documents) {
    const client = clientOf(file.location);
    for (const definition of file.document?.definitions ?? []) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        const list = fragments.get(definition.name.value) ?? [];
        list.push({ client, node: definition });
        fragments.set(definition.name.value, list);
      } else if (definition.kind === Kind.OPERATION_DEFINITION) {
        operations.push({ client, node: definition });
      }
    }
  }
  const entries = operations.map(({ client, node }) => {
    if (!node.name) throw new Error(`every persisted operation needs a name (an anonymous ${node.operation} in ${client})`);
    const used = [...fragmentsUsedBy(node, fragments, client).values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
    const body = print({ kind: Kind.DOCUMENT, definitions: [node, ...used] });
    return { id: createHash('sha256').update(body, 'utf8').digest('hex'), name: node.name.value, type: node.operation, body };
  });
  const unique = [...new Map(entries.map((e) => [e.id, e])).values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return `${JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: unique }, null, 2)}\n`;
}
