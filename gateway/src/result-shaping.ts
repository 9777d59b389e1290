// The last step of every gateway request turns the merged subgraph answers into the client's answer: Apollo
// Gateway's `computeResponse` (@apollo/gateway/dist/resultShaping.js) walks the operation once per value, and for
// each value asks the operation for its selections, directives and response name and allocates the objects that
// carry its result. Under the war-room load it was the largest single cost of a request (about 18 % of its CPU) and
// made a third of everything it allocated (decision 029).
//
// This is the same walk with the operation read once per request: its selections become a small tree of steps, and
// the values are shaped from the steps. It covers the answers that need no error: the moment Apollo would report
// one (a null in a non-null field, a value that is not of its type, an unknown __typename), or would assert, or the
// operation asks for introspection, the request is handed to Apollo's own function with the same input, which
// neither walk modifies. So every error answer stays Apollo's, byte for byte.
//
// An operation seen a second time has its steps compiled to JavaScript (`compileToFunction`, decision 031).
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);
/** Apollo Gateway's own module: the gateway calls `computeResponse` through its exports, so replacing it there takes. */
const resultShaping = requireHere('@apollo/gateway/dist/resultShaping.js') as { computeResponse: ComputeResponse };
/** The federation-internals copy the gateway itself uses. */
const federation = createRequire(requireHere.resolve('@apollo/gateway'))('@apollo/federation-internals') as FederationInternals;

// The few parts of @apollo/federation-internals' types this walk reads (it is not a dependency of ours).
interface FedType {
  kind: string;
  name: string;
  ofType?: FedType;
}
interface FedSchema {
  type(name: string): FedType | undefined;
  skipDirective(): unknown;
  includeDirective(): unknown;
  schemaDefinition: { rootType(kind: string): FedType | undefined };
}
interface FedDirective {
  arguments(): { if?: unknown };
}
interface FedElement {
  appliedDirectivesOf(definition: unknown): FedDirective[];
}
interface FedField extends FedElement {
  name: string;
  responseName(): string;
  definition: { type: FedType; isSchemaIntrospectionField(): boolean };
}
interface FedFragment extends FedElement {
  typeCondition?: FedType;
}
interface FedSelection {
  kind: 'FieldSelection' | 'FragmentSelection';
  element: FedField | FedFragment;
  selectionSet?: FedSelectionSet;
}
interface FedSelectionSet {
  selections(): readonly FedSelection[];
}
interface FedOperation {
  schema(): FedSchema;
  rootKind: string;
  selectionSet: FedSelectionSet;
  collectDefaultedVariableValues(): Record<string, unknown>;
}
interface FederationInternals {
  Variable: abstract new (...args: never[]) => { name: string };
  isNonNullType(type: FedType): boolean;
  isListType(type: FedType): boolean;
  isCompositeType(type: FedType): boolean;
  isObjectType(type: FedType | undefined): boolean;
  isSubtype(maybeSuper: FedType, maybeSub: FedType): boolean;
  isValidLeafValue(schema: FedSchema, value: unknown, type: FedType): boolean;
}

type ComputeResponseArgs = {
  operation: FedOperation;
  variables?: Record<string, unknown>;
  input: Record<string, unknown> | null | undefined;
  introspectionHandling: (selection: unknown) => unknown;
};
type ComputeResponse = (args: ComputeResponseArgs) => { data: unknown; errors: unknown[] };

/** An `@skip`/`@include` condition: a literal, or a variable read at request time. */
type Condition = { literal: unknown } | { variable: string };

const NON_NULL = 0;
const LIST = 1;
const COMPOSITE = 2;
const LEAF = 3;
/** How one field's values are shaped, from its type: wrappers first, then the named type. */
type Shape =
  | { kind: typeof NON_NULL; of: Shape; selects: boolean }
  | { kind: typeof LIST; of: Shape; selects: boolean }
  | { kind: typeof COMPOSITE; type: FedType; steps: Step[]; selects: true }
  | { kind: typeof LEAF; type: FedType; valid: (value: unknown) => boolean; selects: false };

type Step =
  | { field: true; responseName: string; typename: boolean; shape: Shape | undefined; skip?: Condition; include?: Condition }
  | {
      field: false;
      typeCondition: FedType | undefined;
      steps: Step[];
      skip?: Condition;
      include?: Condition;
      /** Whether the type condition applies, by __typename or (without one) by parent type. */
      applies: Map<string | FedType, boolean>;
    };

/**
 * Thrown where Apollo's walk would report an error or assert, and for operations this walk leaves to Apollo
 * (introspection, a prototype name): the request is then shaped by Apollo's own function.
 */
const HAND_TO_APOLLO = Symbol('hand to Apollo');

/** Per request: the schema, the variables as Apollo merges them, and a memo of type lookups by name. */
interface Run {
  schema: FedSchema;
  variables: Record<string, unknown> | undefined;
  defaults: Record<string, unknown>;
  types: Map<string, FedType>;
}

const typeMemos = new WeakMap<FedSchema, Map<string, FedType>>();

function conditionOf(element: FedElement, definition: unknown): Condition | undefined {
  const directive = element.appliedDirectivesOf(definition)[0];
  if (!directive) return undefined;
  const value = directive.arguments().if;
  return value instanceof federation.Variable ? { variable: value.name } : { literal: value };
}

function compileSteps(schema: FedSchema, selectionSet: FedSelectionSet | undefined): Step[] {
  if (!selectionSet) throw HAND_TO_APOLLO;
  const skip = schema.skipDirective();
  const include = schema.includeDirective();
  return selectionSet.selections().map((selection): Step => {
    const conditions = { skip: conditionOf(selection.element, skip), include: conditionOf(selection.element, include) };
    if (selection.kind === 'FieldSelection') {
      const field = selection.element as FedField;
      if (field.definition.isSchemaIntrospectionField()) throw HAND_TO_APOLLO;
      const typename = field.name === '__typename';
      const selects = selection.selectionSet !== undefined;
      const responseName = field.responseName();
      // Answers are plain objects (faster to fill and to serialize than Apollo's null-prototype ones), so a
      // response name that Object.prototype already has (`constructor`, `__proto__`) is left to Apollo's walk.
      if (responseName in Object.prototype) throw HAND_TO_APOLLO;
      return {
        field: true,
        responseName,
        typename,
        shape: typename ? undefined : compileShape(schema, field.definition.type, selection.selectionSet, selects),
        ...conditions,
      };
    }
    const fragment = selection.element as FedFragment;
    return { field: false, typeCondition: fragment.typeCondition, steps: compileSteps(schema, selection.selectionSet), applies: new Map(), ...conditions };
  });
}

function compileShape(schema: FedSchema, type: FedType, selectionSet: FedSelectionSet | undefined, selects: boolean): Shape {
  if (federation.isNonNullType(type)) return { kind: NON_NULL, of: compileShape(schema, type.ofType!, selectionSet, selects), selects };
  if (federation.isListType(type)) return { kind: LIST, of: compileShape(schema, type.ofType!, selectionSet, selects), selects };
  if (federation.isCompositeType(type)) return { kind: COMPOSITE, type, steps: compileSteps(schema, selectionSet), selects: true };
  // A leaf with a selection set cannot pass validation; Apollo's walk would treat it as a composite.
  if (selects) throw HAND_TO_APOLLO;
  return { kind: LEAF, type, valid: leafCheck(schema, type), selects: false };
}

/** Apollo's integer test for Int and ID values given as numbers. */
const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const BUILT_IN_SCALARS = new Set(['Int', 'Float', 'String', 'Boolean', 'ID']);
const finiteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * federation-internals' `isValidLeafValue` for one type, decided once per type instead of once per value (it looks
 * the built-in types up in the schema for every value): custom scalars take anything, enums their values.
 */
function leafCheck(schema: FedSchema, type: FedType): (value: unknown) => boolean {
  const builtIn = schema.type(type.name) === type && BUILT_IN_SCALARS.has(type.name);
  if (type.kind === 'ScalarType' && !builtIn) return () => true;
  switch (builtIn ? type.name : type.kind) {
    case 'Boolean':
      return (value) => typeof value === 'boolean';
    case 'Int':
      return (value) => finiteNumber(value) && INTEGER.test(String(value));
    case 'ID':
      return (value) => typeof value === 'string' || (finiteNumber(value) && INTEGER.test(String(value)));
    case 'Float':
      return (value) => finiteNumber(value);
    case 'String':
      return (value) => typeof value === 'string';
    case 'EnumType':
      return (value) => typeof value === 'string' && (type as FedType & { value(name: string): unknown }).value(value) !== undefined;
    default:
      // Anything else: federation-internals decides.
      return (value) => federation.isValidLeafValue(schema, value, type);
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/** The schema's type of that name; only types that exist are remembered, so a subgraph's bad __typename costs no memory. */
function typeNamed(run: Run, name: string): FedType | undefined {
  let type = run.types.get(name);
  if (type === undefined) {
    type = run.schema.type(name);
    if (type) run.types.set(name, type);
  }
  return type;
}

function conditionHolds(condition: Condition, run: Run): unknown {
  if ('literal' in condition) return condition.literal;
  // As Apollo merges them: the operation's defaults, then the request's variables.
  const value = run.variables && hasOwn.call(run.variables, condition.variable) ? run.variables[condition.variable] : run.defaults[condition.variable];
  if (typeof value !== 'boolean') throw HAND_TO_APOLLO;
  return value;
}

function applySteps(steps: Step[], input: Record<string, unknown>, output: Record<string, unknown>, parentType: FedType, run: Run): void {
  for (const step of steps) {
    if (step.skip && conditionHolds(step.skip, run)) continue;
    if (step.include && !conditionHolds(step.include, run)) continue;
    if (step.field) {
      const name = step.responseName;
      const outputValue = output[name];
      const own = hasOwn.call(input, name) ? input[name] : undefined;
      if (step.typename) {
        if (outputValue !== undefined) continue;
        let value = own ?? null;
        if (value === null && name !== '__typename') value = input.__typename ?? null;
        const type = typeof value === 'string' ? (typeNamed(run, value) ?? parentType) : parentType;
        if (!federation.isObjectType(type)) throw HAND_TO_APOLLO;
        output[name] = type.name;
        continue;
      }
      output[name] = shapeValue(step.shape!, outputValue, own ?? null, run);
    } else {
      const typename = input.__typename;
      if (typename && typeof typename !== 'string') throw HAND_TO_APOLLO;
      if (step.typeCondition && !conditionApplies(step, typename as string | undefined, parentType, run)) continue;
      applySteps(step.steps, input, output, step.typeCondition ?? parentType, run);
    }
  }
}

function conditionApplies(step: Extract<Step, { field: false }>, typename: string | undefined, parentType: FedType, run: Run): boolean {
  const key = typename || parentType;
  let applies = step.applies.get(key);
  if (applies === undefined) {
    if (typename) {
      const type = typeNamed(run, typename);
      applies = !!type && federation.isSubtype(step.typeCondition!, type);
    } else {
      applies = federation.isSubtype(step.typeCondition!, parentType);
    }
    step.applies.set(key, applies);
  }
  return applies;
}

function shapeValue(shape: Shape, outputValue: unknown, inputValue: unknown, run: Run): unknown {
  if (inputValue === undefined) throw HAND_TO_APOLLO;
  // Already shaped by an earlier selection of the same response name: a null or a leaf stays as it is.
  if (outputValue === null || (outputValue !== undefined && !shape.selects)) return outputValue;
  switch (shape.kind) {
    case NON_NULL: {
      const value = shapeValue(shape.of, outputValue, inputValue, run);
      if (value === null) throw HAND_TO_APOLLO;
      return value;
    }
    case LIST: {
      if (inputValue === null) return null;
      if (!Array.isArray(inputValue)) throw HAND_TO_APOLLO;
      if (outputValue !== undefined && (!Array.isArray(outputValue) || outputValue.length !== inputValue.length)) throw HAND_TO_APOLLO;
      const list: unknown[] = [];
      for (let i = 0; i < inputValue.length; i++) {
        list.push(shapeValue(shape.of, outputValue === undefined ? undefined : (outputValue as unknown[])[i], inputValue[i], run));
      }
      return list;
    }
    case COMPOSITE: {
      if (inputValue === null) return null;
      if (typeof inputValue !== 'object' || (outputValue !== undefined && typeof outputValue !== 'object')) throw HAND_TO_APOLLO;
      const object = inputValue as Record<string, unknown>;
      const typename = object.__typename;
      if (typename !== undefined && typeof typename !== 'string') throw HAND_TO_APOLLO;
      let type = shape.type;
      if (typename) {
        const named = typeNamed(run, typename);
        if (!named || !federation.isCompositeType(named)) throw HAND_TO_APOLLO;
        type = named;
      }
      const output = (outputValue as Record<string, unknown> | undefined) ?? {};
      applySteps(shape.steps, object, output, type, run);
      return output;
    }
    case LEAF:
      if (inputValue === null) return null;
      if (!shape.valid(inputValue)) throw HAND_TO_APOLLO;
      return inputValue;
  }
}

/** Answers this walk shaped since the process started (the others were Apollo's). */
export const resultShapingCounts = { fast: 0 };

const apolloComputeResponse: ComputeResponse = resultShaping.computeResponse;
/** The federation schemas of gateways that shape with this walk; stock gateways in the same process keep Apollo's. */
const shapedSchemas = new WeakSet<object>();

/**
 * Steps per operation. The gateway's own plan execution hands every request of one document the same operation
 * (plan-execution.ts); Apollo's walk builds a new one per request, and those are compiled each time.
 */
const compiledSteps = new WeakMap<FedOperation, Compiled | typeof HAND_TO_APOLLO>();

/** An operation's steps, how often they were applied, and from the second time on, their JavaScript. */
interface Compiled {
  steps: Step[];
  uses: number;
  apply?: StepsFunction;
}
type StepsFunction = (input: Record<string, unknown>, output: Record<string, unknown>, parentType: FedType, run: Run) => void;

/**
 * The steps as JavaScript, the walk above unrolled for one operation: each field's value is read and written under
 * its own name, where the walk reads and writes every field through one dynamic key (about two thirds of the
 * shaping time under the war-room load). Same checks, same order, the same HAND_TO_APOLLO where the walk throws.
 * Lists with a condition, a fragment or a `__typename` step are left to `applySteps` itself. Nothing from the
 * request is written into the code but response names, which GraphQL limits to /[_A-Za-z][_0-9A-Za-z]*\/ and
 * which are written as JSON string literals; everything else is passed in as values.
 */
function compileToFunction(steps: Step[]): StepsFunction {
  const values: unknown[] = [];
  const functions: string[] = [];
  const ref = (value: unknown) => `K[${values.push(value) - 1}]`;
  const stepsCode = (list: Step[], input: string, output: string, parentType: string): string => {
    const plain = list.every((step) => step.field && !step.typename && !step.skip && !step.include);
    if (!plain) return `applySteps(${ref(list)}, ${input}, ${output}, ${parentType}, run);`;
    return list
      .map((step) => {
        const name = JSON.stringify((step as { responseName: string }).responseName);
        const shape = shapeFunction((step as { shape: Shape }).shape);
        return `{ const own = hasOwn.call(${input}, ${name}) ? ${input}[${name}] : undefined; ${output}[${name}] = ${shape}(${output}[${name}], own ?? null, run); }`;
      })
      .join('\n');
  };
  const shapeFunction = (shape: Shape): string => {
    const name = `s${functions.length}`;
    functions.push('');
    const head = `function ${name}(ov, v, run) { if (v === undefined) throw H; if (ov === null || (ov !== undefined && ${!shape.selects})) return ov;`;
    let body: string;
    switch (shape.kind) {
      case NON_NULL:
        body = `const value = ${shapeFunction(shape.of)}(ov, v, run); if (value === null) throw H; return value;`;
        break;
      case LIST:
        body = `if (v === null) return null; if (!Array.isArray(v)) throw H;
          if (ov !== undefined && (!Array.isArray(ov) || ov.length !== v.length)) throw H;
          const list = []; for (let k = 0; k < v.length; k++) list.push(${shapeFunction(shape.of)}(ov === undefined ? undefined : ov[k], v[k], run));
          return list;`;
        break;
      case COMPOSITE:
        body = `if (v === null) return null; if (typeof v !== 'object' || (ov !== undefined && typeof ov !== 'object')) throw H;
          const typename = v.__typename; if (typename !== undefined && typeof typename !== 'string') throw H;
          let type = ${ref(shape.type)};
          if (typename) { const named = typeNamed(run, typename); if (!named || !isCompositeType(named)) throw H; type = named; }
          const o = ov ?? {};
          ${stepsCode(shape.steps, 'v', 'o', 'type')}
          return o;`;
        break;
      case LEAF:
        body = `if (v === null) return null; if (!${ref(shape.valid)}(v)) throw H; return v;`;
        break;
    }
    functions[Number(name.slice(1))] = `${head}\n${body} }`;
    return name;
  };
  const root = stepsCode(steps, 'input', 'output', 'parentType');
  const source = `${functions.join('\n')}\nreturn function shape(input, output, parentType, run) {\n${root}\n};`;
  return new Function('H', 'hasOwn', 'typeNamed', 'isCompositeType', 'applySteps', 'K', source)(
    HAND_TO_APOLLO,
    hasOwn,
    typeNamed,
    federation.isCompositeType,
    applySteps,
    values,
  ) as StepsFunction;
}

/** Shapes an answer as Apollo's `computeResponse` does, handing it to Apollo's function wherever an error is due. */
export function computeResponse(args: ComputeResponseArgs): { data: unknown; errors: unknown[] } {
  const { operation, input } = args;
  const schema = operation.schema();
  if (!input || !shapedSchemas.has(schema)) return apolloComputeResponse(args);
  try {
    const rootType = schema.schemaDefinition.rootType(operation.rootKind);
    if (!rootType) throw HAND_TO_APOLLO;
    let compiled = compiledSteps.get(operation);
    if (compiled === undefined) {
      try {
        compiled = { steps: compileSteps(schema, operation.selectionSet), uses: 0 };
      } catch (error) {
        if (error === HAND_TO_APOLLO) compiledSteps.set(operation, HAND_TO_APOLLO);
        throw error;
      }
      compiledSteps.set(operation, compiled);
    }
    if (compiled === HAND_TO_APOLLO) throw HAND_TO_APOLLO;
    // Compiled to JavaScript on its second use, as fetches are (decision 021): a one-off operation is walked.
    if (++compiled.uses === 2) compiled.apply = compileToFunction(compiled.steps);
    let types = typeMemos.get(schema);
    if (!types) typeMemos.set(schema, (types = new Map()));
    const run: Run = { schema, variables: args.variables, defaults: operation.collectDefaultedVariableValues(), types };
    const data: Record<string, unknown> = {};
    if (compiled.apply) compiled.apply(input, data, rootType, run);
    else applySteps(compiled.steps, input, data, rootType, run);
    resultShapingCounts.fast++;
    return { data, errors: [] };
  } catch {
    // An error to report, something to leave to Apollo, or anything unexpected here (the stack of a pathological
    // answer): Apollo's walk shapes it from the same, unmodified input.
    return apolloComputeResponse(args);
  }
}

/** Apollo's own function, for comparison in tests. */
export { apolloComputeResponse };

/**
 * Makes the gateway shape its answers with this walk. Call after the gateway loaded its supergraph; a gateway
 * that is never registered (the benchmark's stock variant) keeps Apollo's walk.
 */
export function shapeResultsOf(gateway: object): void {
  const apiSchema = (gateway as { apiSchema?: object }).apiSchema;
  if (!apiSchema) throw new Error('result shaping: the gateway has not loaded its supergraph (or @apollo/gateway changed its fields)');
  shapedSchemas.add(apiSchema);
  resultShaping.computeResponse = computeResponse as ComputeResponse;
}
