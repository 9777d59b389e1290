import type { DeploymentQuery, DeploymentRecord, DeploymentWindow, Page, PageRequest } from '@opsorch/adapters';
import DataLoader from 'dataloader';
import { batchLoader, newestFirst, perKeyEverywhere, type RequestContext } from '../shared/index.ts';

/** Newest first, then id: the order providers answer in and instances are merged in. */
export const byNewest = newestFirst<DeploymentRecord>((d) => d.startedAt);

/** One service's page under one filter, as asked of one instance. */
export interface ServicePageKey {
  instance: string;
  serviceId: string;
  page: PageRequest;
  filter: Omit<DeploymentQuery, 'serviceIds'>;
}

export interface DeploymentLoaders {
  /** Deployments by id, routed to the instance that issued each id. */
  deployment: DataLoader<string, DeploymentRecord | null>;
  /** Service.deployments pages: one provider call per instance and filter for a whole batch of services. */
  servicePages: DataLoader<ServicePageKey, Page<DeploymentRecord>, string>;
  /** Deployments per window, merged across instances, newest first. */
  inWindow: DataLoader<DeploymentWindow, DeploymentRecord[], string>;
}

const filterKey = (f: ServicePageKey['filter']) =>
  JSON.stringify([f.environment ?? null, f.from?.toISOString() ?? null, f.to?.toISOString() ?? null, f.statuses ?? null, f.authorId ?? null]);

/** A time as a key: its milliseconds (formatting ISO strings was 2 % of a war-room request); an invalid date throws, as toISOString does. */
const instantKey = (date: Date) => {
  const ms = date.getTime();
  return Number.isNaN(ms) ? date.toISOString() : ms;
};

/** Equal windows share one key: each string JSON-quoted, so no two windows meet in one. */
const windowKey = (w: DeploymentWindow) => `${JSON.stringify(w.serviceId)},${instantKey(w.from)},${instantKey(w.to)},${JSON.stringify(w.environment)}`;

export function createDeploymentLoaders(ctx: RequestContext): DeploymentLoaders {
  return {
    deployment: new DataLoader((ids) => ctx.registry.getMany('deployments', ids, (p, own) => p.getMany(own, ctx.provider))),
    // Fields of one query usually share their arguments: one call per instance and distinct filter.
    servicePages: batchLoader(
      ctx,
      'deployments',
      (key) => filterKey(key.filter),
      (provider, keys) => provider.deploymentsForServices(keys.map((k) => ({ serviceId: k.serviceId, page: k.page })), keys[0]!.filter, ctx.provider),
      (key) => JSON.stringify([key.instance, key.serviceId, key.page.first, key.page.after, filterKey(key.filter)]),
    ),
    inWindow: new DataLoader(
      (windows) => perKeyEverywhere(ctx, 'deployments', windows, (p, keys) => p.deploymentsInWindows(keys, ctx.provider), (lists) => lists.flat().sort(byNewest)),
      { cacheKeyFn: windowKey },
    ),
  };
}
