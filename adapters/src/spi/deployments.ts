import type { Deployment, DeploymentStatus } from '@opsorch/schema';
import type { ProviderContext } from '../context.ts';
import type { Page, PageRequest } from '../paging.ts';
import type { ProviderBase } from './base.ts';

/** A deployment's own fields, with the service and the author as canonical ids. */
export type DeploymentRecord = Pick<
  Deployment,
  | 'id'
  | 'version'
  | 'previousVersion'
  | 'environment'
  | 'status'
  | 'rawStatus'
  | 'startedAt'
  | 'finishedAt'
  | 'commit'
  | 'pullRequestUrl'
  | 'url'
  | 'source'
> & {
  /** Canonical service id, null when the CI/CD system's reference maps to no catalog service. */
  serviceId: string | null;
  /** Lower-case e-mail of the person who shipped it, null for automation or unknown people. */
  authorId: string | null;
};

/** A resolved deployments filter: every field optional, combined with AND. Times are instants already. */
export interface DeploymentQuery {
  /** Only these canonical services (an empty list matches nothing). */
  serviceIds?: readonly string[] | null;
  environment?: string | null;
  statuses?: readonly DeploymentStatus[] | null;
  /** Started at or after `from`. */
  from?: Date | null;
  /** Started before `to`. */
  to?: Date | null;
  /** Lower-case e-mail. */
  authorId?: string | null;
}

/** One service's page request in a batch. */
export interface ServiceDeploymentsRequest {
  serviceId: string;
  page: PageRequest;
}

/** Deployments of one service that started in [from, to] (both inclusive), optionally in one environment. */
export interface DeploymentWindow {
  serviceId: string;
  from: Date;
  to: Date;
  environment: string | null;
}

/**
 * The deployments capability's provider contract. Lists are newest first: `startedAt` descending, then id
 * ascending (the order `newestFirst` merges in).
 */
export interface DeploymentProvider extends ProviderBase {
  /** One slot per id (`<instance>:<nativeId>`), in key order; null when unknown. */
  getMany(ids: readonly string[], ctx: ProviderContext): Promise<(DeploymentRecord | null)[]>;
  query(filter: DeploymentQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<DeploymentRecord>>;
  /** One page per request, in request order, each narrowed by `filter` (its serviceIds are ignored). */
  deploymentsForServices(
    requests: readonly ServiceDeploymentsRequest[],
    filter: Omit<DeploymentQuery, 'serviceIds'>,
    ctx: ProviderContext,
  ): Promise<Page<DeploymentRecord>[]>;
  /** One list per window, in window order, newest first. */
  deploymentsInWindows(windows: readonly DeploymentWindow[], ctx: ProviderContext): Promise<DeploymentRecord[][]>;
}
