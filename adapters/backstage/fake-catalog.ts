// Test code: a Backstage catalog behind the contract fake (its published OpenAPI document, in __fixtures__), with
// the catalog's filter and cursor semantics over an in-memory list of entities. Shared by the contract tests and
// the benchmark.
import { join } from 'node:path';
import { startContractFake, type ContractFake, type FakeReply, type FakeRequest } from '../kit/contract-fake.ts';
import type { Entity } from './api.ts';

export const CATALOG_SPEC = 'backstage-catalog.openapi.json';
const FIXTURES = join(import.meta.dirname, '__fixtures__');

export interface FakeCatalog {
  fake: ContractFake;
  entities: Entity[];
  /** Answers every request with this instead, while set (failure modes). */
  failure: ((request: FakeRequest) => FakeReply | Promise<FakeReply>) | null;
}

/** `key=value` / `key` conditions of the catalog's filter, matched case-insensitively on simple paths. */
function matchesCondition(entity: Entity, condition: string): boolean {
  const eq = condition.indexOf('=');
  const key = (eq < 0 ? condition : condition.slice(0, eq)).toLowerCase();
  const expected = eq < 0 ? null : condition.slice(eq + 1).toLowerCase();
  const values: Record<string, unknown> = {
    kind: entity.kind,
    'metadata.namespace': entity.metadata.namespace ?? 'default',
    'metadata.name': entity.metadata.name,
    'spec.type': entity.spec?.type,
  };
  if (!(key in values)) throw new Error(`the fake catalog does not filter on ${key}`);
  const value = values[key];
  if (value === undefined) return false;
  return expected === null || String(value).toLowerCase() === expected;
}

function refOf(entity: Entity): string {
  return `${entity.kind}:${entity.metadata.namespace ?? 'default'}/${entity.metadata.name}`.toLowerCase();
}

export async function startFakeCatalog(entities: Entity[]): Promise<FakeCatalog> {
  const fake = await startContractFake({ spec: CATALOG_SPEC, vendor: 'Backstage', specDir: FIXTURES });
  const catalog: FakeCatalog = { fake, entities, failure: null };
  fake
    .on('GET /entities/by-query', (request) => {
      if (catalog.failure) return catalog.failure(request);
      const cursor = request.query.get('cursor');
      // The catalog's cursor carries the query; a filter next to it is ignored, as the document says.
      const state = cursor
        ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { filter: string[]; offset: number })
        : { filter: request.query.getAll('filter'), offset: 0 };
      const limit = Number(request.query.get('limit') ?? 20);
      const matching = catalog.entities.filter(
        (e) => state.filter.length === 0 || state.filter.some((set) => set.split(',').every((c) => matchesCondition(e, c))),
      );
      const items = matching.slice(state.offset, state.offset + limit);
      const next = state.offset + items.length;
      const pageInfo: Record<string, string> = {};
      if (next < matching.length) pageInfo.nextCursor = Buffer.from(JSON.stringify({ filter: state.filter, offset: next })).toString('base64url');
      return { body: { items, totalItems: matching.length, pageInfo } };
    })
    .on('POST /entities/by-refs', (request) => {
      if (catalog.failure) return catalog.failure(request);
      const refs = (request.body as { entityRefs: string[] }).entityRefs;
      return { body: { items: refs.map((ref) => catalog.entities.find((e) => refOf(e) === ref.toLowerCase()) ?? null) } };
    });
  return catalog;
}

/** A component entity as the catalog stores it after processing (relations filled in). */
export function component(name: string, spec: Record<string, unknown>, metadata: Partial<Entity['metadata']> = {}, relations: Entity['relations'] = []): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name, namespace: 'default', uid: `uid-${name}`, ...metadata }, spec, relations };
}

export function group(name: string, spec: Record<string, unknown>, metadata: Partial<Entity['metadata']> = {}): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name, namespace: 'default', ...metadata }, spec: { type: 'team', children: [], ...spec } };
}

export function user(name: string, spec: Record<string, unknown>, relations: Entity['relations'] = []): Entity {
  return { apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name, namespace: 'default' }, spec, relations };
}

/**
 * Gateway variables for Backstage as the services and teams instance `bs`, and Alertmanager as alerts instance
 * `am` whose service labels are Datadog service names (joined through `datadoghq.com/service-name`).
 */
export function joinedGatewayEnv(settings: Record<string, unknown>, alertmanagerOrigin: string): Record<string, string> {
  const config = JSON.stringify(settings);
  return {
    OPSORCH_SERVICES_PROVIDER: 'bs=backstage',
    OPSORCH_SERVICES_CONFIG: config,
    OPSORCH_TEAMS_PROVIDER: 'bs=backstage',
    OPSORCH_TEAMS_CONFIG: config,
    OPSORCH_ALERTS_PROVIDER: 'am=alertmanager',
    OPSORCH_ALERTS_CONFIG: JSON.stringify({ url: alertmanagerOrigin, catalogSystem: 'datadog' }),
  };
}
