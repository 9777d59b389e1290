// A scope (`{ service, team, environment }`) as the service tag values Datadog knows, through the identity mapping.
import type { ScopeInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { OpsOrchError } from '../src/errors.ts';
import type { ServiceCatalog } from '../src/provider.ts';
import type { ServiceIdentity } from '../kit/identity.ts';

/** The service tag values of a scope: null when nothing narrows by service, [] when the scope matches no service. */
export async function scopeServices(
  scope: ScopeInput | null | undefined,
  identity: ServiceIdentity,
  catalog: ServiceCatalog | undefined,
  ctx: ProviderContext,
): Promise<string[] | null> {
  let serviceIds: string[] | null = scope?.service ? [scope.service] : null;
  if (scope?.team) {
    if (!catalog) throw new OpsOrchError('NOT_SUPPORTED', 'scope.team needs the service catalog, which this provider was built without');
    const owned = (await catalog.servicesOwnedBy([scope.team], ctx))[0] ?? [];
    serviceIds = serviceIds ? serviceIds.filter((id) => owned.includes(id)) : owned;
  }
  if (!serviceIds) return null;
  if (serviceIds.length === 0) return [];
  return [...new Set([...(await identity.toNative(serviceIds, ctx)).values()].flat())];
}

/** `key:value` tags as a map (a tag without `:` has an empty value); the first value of a key wins. */
export function tagMap(tags: readonly string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const tag of tags ?? []) {
    const at = tag.indexOf(':');
    const key = at < 0 ? tag : tag.slice(0, at);
    if (!map.has(key)) map.set(key, at < 0 ? '' : tag.slice(at + 1));
  }
  return map;
}
