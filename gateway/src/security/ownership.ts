import { Kind, parse, type ConstDirectiveNode, type ConstValueNode, type DocumentNode } from 'graphql';

/** Who may resolve a field, read from the supergraph: the capability scopes it needs follow from it. */
export interface FieldRule {
  /** Subgraphs (= capabilities) that resolve the field. One owner means the field needs that capability's scope. */
  owners: string[];
  /**
   * `@requiresScopes` in the schema, on the field or on the type it returns: every entry must hold, and an
   * entry holds when all scopes of any one of its inner lists are granted.
   */
  requiresScopes: string[][][];
  /** `@authenticated` in the schema: anonymous callers may not select the field. */
  authenticated: boolean;
}

export type Ownership = ReadonlyMap<string, FieldRule>;

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

function scopesOf(directive: ConstDirectiveNode): string[][] {
  const value = argument(directive, 'scopes');
  if (!value || value.kind !== Kind.LIST) return [];
  return value.values.map((inner) =>
    inner.kind === Kind.LIST ? inner.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : inner.kind === Kind.STRING ? [inner.value] : [],
  );
}

/**
 * Reads the capability that owns every field from the supergraph's `@join__type`/`@join__field`
 * directives (a field resolved by several subgraphs, like entity keys and shared value types, belongs to
 * none: its parent field already decided), plus any `@requiresScopes`/`@authenticated` the subgraphs put
 * in the schema. Keyed by schema coordinate (`Incident.title`).
 */
export function ownershipFromSupergraph(supergraph: string | DocumentNode): Ownership {
  const document = typeof supergraph === 'string' ? parse(supergraph) : supergraph;
  const graphNames = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph') {
      for (const value of definition.values ?? []) {
        const joinGraph = value.directives?.find((d) => d.name.value === 'join__graph');
        const name = joinGraph && argument(joinGraph, 'name');
        graphNames.set(value.name.value, name?.kind === Kind.STRING ? name.value : value.name.value.toLowerCase());
      }
    }
  }
  const graphOf = (directive: ConstDirectiveNode) => {
    const graph = argument(directive, 'graph');
    return graph?.kind === Kind.ENUM ? (graphNames.get(graph.value) ?? graph.value.toLowerCase()) : null;
  };
  const typeRules = new Map<string, { requiresScopes: string[][] | null; authenticated: boolean }>();
  const rules = new Map<string, FieldRule>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const typeName = definition.name.value;
    const typeGraphs = (definition.directives ?? []).filter((d) => d.name.value === 'join__type').map(graphOf).filter((g) => g !== null);
    const typeScopes = definition.directives?.find((d) => d.name.value === 'requiresScopes');
    typeRules.set(typeName, {
      requiresScopes: typeScopes ? scopesOf(typeScopes) : null,
      authenticated: !!definition.directives?.some((d) => d.name.value === 'authenticated'),
    });
    for (const field of definition.fields ?? []) {
      const joins = (field.directives ?? []).filter((d) => d.name.value === 'join__field');
      const resolving = joins.filter((d) => {
        const external = argument(d, 'external');
        const overridden = argument(d, 'usedOverridden');
        return !(external?.kind === Kind.BOOLEAN && external.value) && !(overridden?.kind === Kind.BOOLEAN && overridden.value);
      });
      const graphs = resolving.map(graphOf).filter((g) => g !== null);
      const owners = [...new Set(joins.some((d) => graphOf(d) !== null) ? graphs : typeGraphs)];
      const scopes = field.directives?.find((d) => d.name.value === 'requiresScopes');
      rules.set(`${typeName}.${field.name.value}`, {
        owners,
        requiresScopes: scopes ? [scopesOf(scopes)] : [],
        authenticated: !!field.directives?.some((d) => d.name.value === 'authenticated'),
      });
    }
  }
  // Router semantics: a type's @requiresScopes/@authenticated applies to every field that returns it.
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    for (const field of definition.fields ?? []) {
      let type = field.type;
      while (type.kind !== Kind.NAMED_TYPE) type = type.type;
      const returned = typeRules.get(type.name.value);
      if (!returned || (!returned.requiresScopes && !returned.authenticated)) continue;
      const rule = rules.get(`${definition.name.value}.${field.name.value}`)!;
      if (returned.requiresScopes) rule.requiresScopes.push(returned.requiresScopes);
      rule.authenticated ||= returned.authenticated;
    }
  }
  return rules;
}
