// Valid words for valid requests: before fuzzing, every Query field that needs no argument is asked for its
// leaves two levels deep, and the strings of the answers become the fuzzer's dictionary, keyed by the field
// that held them (`id`, `name`, `service` for a service's id, `Team.name`...). Generated from the schema, so a
// new capability is covered without a word here.
import { getNamedType, isLeafType, isNonNullType, isObjectType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import type { Dictionary } from './values.ts';

/** A selection of every leaf (and `id`s of linked objects) `depth` levels down. */
function leaves(type: GraphQLNamedType, depth: number): string {
  if (!isObjectType(type)) return '__typename';
  const parts = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (depth > 0 && isObjectType(named)) parts.push(`${field.name} { ${leaves(named, depth - 1)} }`);
  }
  return parts.join(' ');
}

/** The documents that harvest the dictionary: one per Query field callable without arguments. */
export function harvestDocuments(schema: GraphQLSchema): string[] {
  const query = schema.getQueryType();
  if (!query) return [];
  return Object.values(query.getFields())
    .filter((f) => !f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined))
    .map((f) => `query Harvest { ${f.name} { ${leaves(getNamedType(f.type), 2)} } }`);
}

const MAX_WORDS_PER_KEY = 200;

/** Collects the strings of GraphQL answers into a dictionary. */
export class DictionaryBuilder {
  private readonly words = new Map<string, Set<string>>();

  add(key: string, word: string): void {
    if (word.length === 0 || word.length > 120) return;
    const set = this.words.get(key) ?? new Set<string>();
    if (set.size < MAX_WORDS_PER_KEY) set.add(word);
    this.words.set(key, set);
  }

  /** Walks an answer: a string under key `k` is a word for `k` (and `Type.k`); an object's `id` is a word for its key. */
  collect(value: unknown, key = '', typename = ''): void {
    if (typeof value === 'string') {
      this.add(key, value);
      if (typename) this.add(`${typename}.${key}`, value);
      this.add('*', value);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) this.collect(item, key, typename);
      return;
    }
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.id === 'string' && key) this.add(key, record.id);
      const own = typeof record.__typename === 'string' ? record.__typename : '';
      for (const [k, v] of Object.entries(record)) if (k !== '__typename') this.collect(v, k, own);
    }
  }

  build(): Dictionary {
    return new Map([...this.words].map(([k, v]) => [k, [...v].sort()]));
  }
}
