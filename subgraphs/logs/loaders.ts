import type { LogRecord, Page, PageRequest, ResolvedTimeRange } from '@opsorch/adapters';
import type { LogOrder, ServiceLogQueryInput } from '@opsorch/schema';
import DataLoader from 'dataloader';
import { batchLoader, type RequestContext } from '../shared/index.ts';

/** Time order of lines: timestamp, then service id, then sequence; the order providers page in. */
export function compareLogs(order: LogOrder): (a: LogRecord, b: LogRecord) => number {
  const sign = order === 'OLDEST_FIRST' ? 1 : -1;
  return (a, b) =>
    sign *
    (a.timestamp.localeCompare(b.timestamp) || (a.serviceId ?? '').localeCompare(b.serviceId ?? '') || a.sequence - b.sequence);
}

/** One service's page of `Service.logs` under one set of arguments, as asked of one instance. */
export interface ServiceLogsKey {
  instance: string;
  serviceId: string;
  query: ServiceLogQueryInput;
  range: ResolvedTimeRange;
  page: PageRequest;
  order: LogOrder;
}

export interface LogLoaders {
  /** `Service.logs` pages: one provider call per instance and distinct argument set for a whole batch of services. */
  servicePages: DataLoader<ServiceLogsKey, Page<LogRecord>, string>;
}

/** Everything but the service: keys sharing it are answered by one `forServices` call. */
const argumentsKey = (key: ServiceLogsKey) =>
  JSON.stringify([key.query, key.range.from.toISOString(), key.range.to.toISOString(), key.page.first, key.page.after, key.order]);

export function createLogLoaders(ctx: RequestContext): LogLoaders {
  return {
    servicePages: batchLoader(
      ctx,
      'logs',
      argumentsKey,
      (provider, keys) => {
        const { query, range, page, order } = keys[0]!;
        return provider.forServices(keys.map((k) => k.serviceId), query, range, page, order, ctx.provider);
      },
      (key) => `${key.instance}\u0000${key.serviceId}\u0000${argumentsKey(key)}`,
    ),
  };
}
