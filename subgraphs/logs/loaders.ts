import type { LogProvider, LogRecord, Page, PageRequest, ResolvedTimeRange } from '@opsorch/adapters';
import type { LogOrder, ServiceLogQueryInput } from '@opsorch/schema';
import DataLoader from 'dataloader';
import type { RequestContext } from '../shared/index.ts';

/** Time order of lines: timestamp, then service id, then sequence; the order providers page in. */
export function compareLogs(order: LogOrder): (a: LogRecord, b: LogRecord) => number {
  const sign = order === 'OLDEST_FIRST' ? 1 : -1;
  return (a, b) =>
    sign *
    (a.timestamp.localeCompare(b.timestamp) || (a.serviceId ?? '').localeCompare(b.serviceId ?? '') || a.sequence - b.sequence);
}

/** One service's page of `Service.logs` under one set of arguments, as asked of one instance. */
export interface ServiceLogsKey {
  serviceId: string;
  query: ServiceLogQueryInput;
  range: ResolvedTimeRange;
  page: PageRequest;
  order: LogOrder;
}

export interface LogLoaders {
  /** `Service.logs` pages of one instance: one provider call per distinct argument set for a whole batch of services. */
  servicePages(provider: LogProvider): DataLoader<ServiceLogsKey, Page<LogRecord>, string>;
}

/** Everything but the service: keys sharing it are answered by one `forServices` call. */
const argumentsKey = (key: ServiceLogsKey) =>
  JSON.stringify([key.query, key.range.from.toISOString(), key.range.to.toISOString(), key.page.first, key.page.after, key.order]);

export function createLogLoaders(ctx: RequestContext): LogLoaders {
  const pages = new Map<string, DataLoader<ServiceLogsKey, Page<LogRecord>, string>>();
  return {
    servicePages(provider) {
      let loader = pages.get(provider.instance);
      if (!loader) {
        loader = new DataLoader(
          async (keys) => {
            const groups = new Map<string, number[]>();
            keys.forEach((key, i) => {
              const group = argumentsKey(key);
              groups.set(group, [...(groups.get(group) ?? []), i]);
            });
            const results: (Page<LogRecord> | Error)[] = new Array(keys.length);
            await Promise.all(
              [...groups.values()].map(async (positions) => {
                const first = keys[positions[0]!]!;
                try {
                  const ids = positions.map((i) => keys[i]!.serviceId);
                  const answer = await provider.forServices(ids, first.query, first.range, first.page, first.order, ctx.provider);
                  positions.forEach((position, j) => (results[position] = answer[j] ?? { items: [], nextCursor: null }));
                } catch (error) {
                  positions.forEach((position) => (results[position] = error as Error));
                }
              }),
            );
            return results;
          },
          { cacheKeyFn: (key) => `${key.serviceId}\u0000${argumentsKey(key)}` },
        );
        pages.set(provider.instance, loader);
      }
      return loader;
    },
  };
}
