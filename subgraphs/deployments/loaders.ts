import type { DeploymentQuery, DeploymentRecord, DeploymentWindow, Page, PageRequest } from '@opsorch/adapters';
import DataLoader from 'dataloader';
import { newestFirst, type RequestContext } from '../shared/index.ts';

/** Newest first, then id: the order providers answer in and instances are merged in. */
export const byNewest = newestFirst<DeploymentRecord>((d) => d.startedAt);

/** One service's page under one filter, as asked of one instance. */
export interface ServicePageKey {
  serviceId: string;
  page: PageRequest;
  filter: Omit<DeploymentQuery, 'serviceIds'>;
}

export interface DeploymentLoaders {
  /** Deployments by id, routed to the instance that issued each id. */
  deployment: DataLoader<string, DeploymentRecord | null>;
  /** Service.deployments pages, per instance: one provider call per instance and filter for a whole batch of services. */
  servicePages(instance: string): DataLoader<ServicePageKey, Page<DeploymentRecord>, string>;
  /** Deployments per window, merged across instances, newest first. */
  inWindow: DataLoader<DeploymentWindow, DeploymentRecord[], string>;
}

const filterKey = (f: ServicePageKey['filter']) =>
  JSON.stringify([f.environment ?? null, f.from?.toISOString() ?? null, f.to?.toISOString() ?? null, f.statuses ?? null, f.authorId ?? null]);

export function createDeploymentLoaders(ctx: RequestContext): DeploymentLoaders {
  const pages = new Map<string, DataLoader<ServicePageKey, Page<DeploymentRecord>, string>>();
  return {
    deployment: new DataLoader((ids) => ctx.registry.getMany('deployments', ids, (p, own) => p.getMany(own, ctx.provider))),

    servicePages(instance) {
      let loader = pages.get(instance);
      if (!loader) {
        const provider = ctx.registry.all('deployments').find((p) => p.instance === instance)!;
        loader = new DataLoader(
          async (keys) => {
            // Fields of one query usually share their arguments: one call per distinct filter.
            const groups = new Map<string, number[]>();
            keys.forEach((key, i) => groups.set(filterKey(key.filter), [...(groups.get(filterKey(key.filter)) ?? []), i]));
            const results: (Page<DeploymentRecord> | Error)[] = new Array(keys.length);
            await Promise.all(
              [...groups.values()].map(async (positions) => {
                const requests = positions.map((i) => ({ serviceId: keys[i]!.serviceId, page: keys[i]!.page }));
                try {
                  const answer = await provider.deploymentsForServices(requests, keys[positions[0]!]!.filter, ctx.provider);
                  positions.forEach((position, j) => (results[position] = answer[j] ?? { items: [], nextCursor: null }));
                } catch (error) {
                  positions.forEach((position) => (results[position] = error as Error));
                }
              }),
            );
            return results;
          },
          { cacheKeyFn: (key) => JSON.stringify([key.serviceId, key.page.first, key.page.after, filterKey(key.filter)]) },
        );
        pages.set(instance, loader);
      }
      return loader;
    },

    inWindow: new DataLoader(
      async (windows) => {
        const answers = await Promise.all(
          ctx.registry.all('deployments').map((p) =>
            p.deploymentsInWindows(windows, ctx.provider).then(
              (lists) => ({ lists }),
              (error: Error) => ({ error }),
            ),
          ),
        );
        return windows.map((_, i) => {
          const failed = answers.find((a): a is { error: Error } => 'error' in a);
          if (failed) return failed.error;
          return answers.flatMap((a) => ('lists' in a ? (a.lists[i] ?? []) : [])).sort(byNewest);
        });
      },
      { cacheKeyFn: (w) => JSON.stringify([w.serviceId, w.from.toISOString(), w.to.toISOString(), w.environment]) },
    ),
  };
}
