import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Ownership } from './ownership.ts';
import type { Verb } from './scopes.ts';

export interface AnalysisOptions {
  /** Assumed length of a list field that takes no `first`. */
  defaultListSize: number;
  /**
   * Extra cost of one call of a field beyond the objects it returns (searches that scan far more than they
   * answer), from its coordinate and arguments; multiplied like the field itself. Default none.
   */
  fieldWork?: (coordinate: string, args: Record<string, unknown>) => number;
  /** Assumed length of particular list fields without `first`, by schema coordinate (default `defaultListSize`). */
  listSizes?: Readonly<Record<string, number>>;
  /** Fields that always read one environment (schema coordinate → environment). */
  fieldEnvironments: Readonly<Record<string, string>>;
}

/** Everything the authorization, limits and audit plugins need to know about one operation, from one walk. */
export interface OperationAnalysis {
  type: 'query' | 'mutation' | 'subscription';
  rootFields: string[];
  /** Deepest field nesting (a root field is depth 1). */
  depth: number;
  aliases: number;
  /** Estimated cost: every object the answer can hold counts 1; lists multiply by `first` (or the default size). */
  cost: number;
  /** Most fields selected on one object (fragments at the same level merged; `__typename` counts). */
  widestSelection: number;
  /** Estimated values in the answer: every selected field, `__typename` included, times the lists around it. */
  responseValues: number;
  /** True when the walk gave up because the operation expands past any sane size (fragment bombs). */
  exploded: boolean;
  introspection: boolean;
  /** Capability scopes needed, each with the fields that need it. */
  scopes: Map<string, { capability: string; verb: Verb; fields: Set<string> }>;
  /** `@requiresScopes` alternatives to satisfy, each with its field. */
  schemaScopes: { field: string; anyOf: string[][] }[];
  /** Fields marked `@authenticated` in the schema. */
  authenticatedFields: Set<string>;
  /** Environments the operation names (`environment` arguments and input fields), with where. */
  environments: Map<string, Set<string>>;
  /** Fields that take an environment but were given none: they read every environment. */
  everyEnvironmentFields: Set<string>;
  /** Capabilities whose fields the operation selects. */
  capabilities: Set<string>;
  /** Routed ids (`<instance>:<nativeId>`) in the arguments: they name the provider instances a write goes to. */
  routedIds: Set<string>;
}

/** No real operation visits this many fields; past it the walk stops and the operation is refused as too costly. */
const MAX_VISITS = 50_000;
const PAGE_ARGUMENTS = ['first', 'last', 'limit'];

const environmentAware = new WeakMap<object, boolean>();

function inputHasEnvironment(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => f.name === 'environment' || inputHasEnvironment(f.type, seen));
}

/** Does the field take an environment, directly or inside an input (`scope: { environment }`)? */
function takesEnvironment(field: GraphQLField<unknown, unknown>): boolean {
  let known = environmentAware.get(field);
  if (known === undefined) {
    known = field.args.some((arg) => arg.name === 'environment' || inputHasEnvironment(arg.type));
    environmentAware.set(field, known);
  }
  return known;
}

function collectArguments(value: unknown, key: string, into: { environments: string[]; ids: string[] }): void {
  if (typeof value === 'string') {
    if (key === 'environment') into.environments.push(value);
    else if ((key === 'id' || key === 'ids' || key.endsWith('Id') || key.endsWith('Ids')) && /^[a-z][a-z0-9-]*:./.test(value)) {
      into.ids.push(value);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) collectArguments(item, key, into);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectArguments(v, k, into);
  }
}

/**
 * Walks an operation once, through its fragments, with the variables it will run with. It runs after
 * validation, so every field exists; fragment cycles are impossible, but exponential fragment fan-out is
 * not, hence the visit budget.
 */
export function analyzeOperation(
  schema: GraphQLSchema,
  ownership: Ownership,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Record<string, unknown>,
  model: AnalysisOptions,
): OperationAnalysis {
  const analysis: OperationAnalysis = {
    type: operation.operation as OperationAnalysis['type'],
    rootFields: [],
    depth: 0,
    aliases: 0,
    cost: 0,
    widestSelection: 0,
    responseValues: 0,
    exploded: false,
    introspection: false,
    scopes: new Map(),
    schemaScopes: [],
    authenticatedFields: new Set(),
    environments: new Map(),
    everyEnvironmentFields: new Set(),
    capabilities: new Set(),
    routedIds: new Set(),
  };
  const root = schema.getRootType(operation.operation);
  if (!root) return analysis;
  let visits = 0;
  // Arguments as they will run: variables coerced as execution coerces them (one object where a list is expected is
  // a list of one). Variables that do not coerce fail execution with a precise message; they are read as sent.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  const values = coerced.coerced ?? variables;

  const need = (capability: string, verb: Verb, field: string) => {
    const key = `${capability}:${verb}`;
    let entry = analysis.scopes.get(key);
    if (!entry) analysis.scopes.set(key, (entry = { capability, verb, fields: new Set() }));
    entry.fields.add(field);
    analysis.capabilities.add(capability);
  };

  /**
   * `level` counts the fields selected on one object: fragments spread or inlined at the same level add to it,
   * a field's own selection set starts a new one. Every field counts, `__typename` too: 45,000 aliased
   * `__typename` under a list of 200 are 9 million values to build and send.
   */
  const walk = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType,
    depth: number,
    multiplier: number,
    inConnection: boolean,
    level = { fields: 0 },
  ) => {
    for (const selection of selectionSet.selections) {
      if (++visits > MAX_VISITS) {
        analysis.exploded = true;
        return;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type) walk(selection.selectionSet, type, depth, multiplier, inConnection, level);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && type) walk(fragment.selectionSet, type, depth, multiplier, inConnection, level);
        continue;
      }
      const name = selection.name.value;
      if (++level.fields > analysis.widestSelection) analysis.widestSelection = level.fields;
      analysis.responseValues = Math.min(analysis.responseValues + multiplier, 1e15);
      if (selection.alias) analysis.aliases++;
      if (depth + 1 > analysis.depth) analysis.depth = depth + 1;
      if (name === '__typename') continue;
      if (name === '__schema' || name === '__type') {
        analysis.introspection = true;
        continue;
      }
      if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
      const field = parent.getFields()[name];
      if (!field) continue;
      const coordinate = `${parent.name}.${name}`;
      if (parent === root) analysis.rootFields.push(name);

      const rule = ownership.get(coordinate);
      if (rule) {
        const verb: Verb = parent === root && operation.operation === 'mutation' ? 'write' : 'read';
        if (rule.owners.length === 1) need(rule.owners[0]!, verb, coordinate);
        for (const anyOf of rule.requiresScopes) analysis.schemaScopes.push({ field: coordinate, anyOf });
        if (rule.authenticated) analysis.authenticatedFields.add(coordinate);
      }

      const fixedEnvironment = model.fieldEnvironments[coordinate];
      if (fixedEnvironment) {
        let where = analysis.environments.get(fixedEnvironment);
        if (!where) analysis.environments.set(fixedEnvironment, (where = new Set()));
        where.add(coordinate);
      }

      let args: Record<string, unknown> = {};
      if (field.args.length > 0) {
        try {
          args = getArgumentValues(field, selection, values);
        } catch {
          // Invalid variable values fail execution with a precise message; the analysis just skips them.
        }
        const found = { environments: [] as string[], ids: [] as string[] };
        collectArguments(args, '', found);
        for (const environment of found.environments) {
          let where = analysis.environments.get(environment);
          if (!where) analysis.environments.set(environment, (where = new Set()));
          where.add(coordinate);
        }
        for (const id of found.ids) analysis.routedIds.add(id);
        if (found.environments.length === 0 && takesEnvironment(field)) analysis.everyEnvironmentFields.add(coordinate);
      }

      const type = getNullableType(field.type);
      const named = getNamedType(field.type);
      const page = PAGE_ARGUMENTS.map((a) => args[a]).find((v): v is number => typeof v === 'number' && v >= 0);
      let childMultiplier = multiplier;
      let childInConnection = false;
      if (page !== undefined) {
        childMultiplier = multiplier * Math.max(page, 1);
        childInConnection = true;
      } else if (isListType(type) && !inConnection) {
        childMultiplier = multiplier * (model.listSizes?.[coordinate] ?? model.defaultListSize);
      }
      childMultiplier = Math.min(childMultiplier, 1e12);
      const work = model.fieldWork?.(coordinate, args) ?? 0;
      if (work > 0) analysis.cost += multiplier * work;
      if (isCompositeType(named)) {
        analysis.cost += isListType(type) ? childMultiplier : multiplier;
        if (selection.selectionSet) walk(selection.selectionSet, named, depth + 1, childMultiplier, childInConnection);
      }
    }
  };
  walk(operation.selectionSet, root, 0, 1, false);
  return analysis;
}
