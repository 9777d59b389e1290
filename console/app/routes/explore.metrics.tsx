import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useLocation, useNavigate } from '@remix-run/react';
import { useMemo } from 'react';
import { formatCount } from '../components/explorer/format.ts';
import { MetricChart, SeriesStats } from '../components/explorer/metric-chart.tsx';
import { AGGREGATIONS, metricSearchFrom, STEP_CHOICES } from '../components/explorer/metric-search.ts';
import { absolute, sharedParams, withParams } from '../components/explorer/range.ts';
import { CatalogTable, MetricPicker } from '../components/explorer/metric-picker.tsx';
import { LabelFilters } from '../components/explorer/label-filters.tsx';
import { ScopeSelects } from '../components/explorer/scope-selects.tsx';
import { TimePicker } from '../components/explorer/time-picker.tsx';
import '../components/explorer/explorer.css';
import { Empty, PageHeader, Problems, toolName } from '../components/ui.tsx';
import { ExplorerMetricCatalogDocument, ExplorerMetricSeriesDocument, ExplorerScopeDocument } from '../graphql/explorer/generated.ts';
import { query } from '../lib/api.server.ts';
import { dedupeProblems } from '../lib/problems.ts';
import { useNow } from '../lib/time.tsx';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.search.metric ?? 'Metrics'} · OpsOrch` }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const search = metricSearchFrom(request);
  const scope = search.service || search.environment ? { service: search.service, environment: search.environment } : null;
  const [catalog, services, result] = await Promise.all([
    query(request, context, ExplorerMetricCatalogDocument, {}),
    query(request, context, ExplorerScopeDocument, {}),
    search.metric
      ? query(request, context, ExplorerMetricSeriesDocument, {
          query: { name: search.metric, scope, labels: search.matchers.length ? search.matchers : null, aggregation: search.aggregation, groupBy: search.groupBy },
          range: search.range,
          step: search.step,
          maxPoints: search.maxPoints,
          // Markers: deploys to the environment in view (production unless one is chosen) and the service's incidents.
          markerScope: { service: search.service, environment: search.environment ?? 'production' },
          markerRange: search.range,
        })
      : null,
  ]);
  const incidents = new Map([...(result?.data?.incidents?.nodes ?? []), ...(result?.data?.ongoing?.nodes ?? [])].map((i) => [i.id, i]));
  const serviceNodes = services.data?.services?.nodes ?? [];
  return {
    search,
    catalog: catalog.data?.metricDescriptors?.nodes ?? [],
    services: serviceNodes.map((s) => s.id),
    environments: [...new Set(serviceNodes.flatMap((s) => s.environments))].sort(),
    result: result?.data?.metricSeries ?? null,
    deploys: result?.data?.deployments?.nodes ?? [],
    incidents: [...incidents.values()],
    problems: dedupeProblems([
      ...catalog.problems,
      ...(result?.problems ?? []),
      ...(result?.data?.metricSeries?.providerErrors ?? []).map((e) => ({ message: e.message, code: e.code, capability: e.capability, provider: e.provider })),
    ]),
  };
}


export default function MetricsPage() {
  const data = useLoaderData<typeof loader>();
  const { search, result } = data;
  const location = useLocation();
  const navigate = useNavigate();
  const now = useNow();
  const params = useMemo(() => new URLSearchParams(location.search), [location.search]);
  const descriptor = data.catalog.find((d) => d.name === search.metric) ?? null;
  const go = (updates: Record<string, string | string[] | null>) => navigate(`/explore/metrics${withParams(params, updates)}`);
  const pick = (name: string) => go({ metric: name, agg: null, by: null, grouped: null, m: null, step: null });
  const window_ = result ? { fromMs: Date.parse(result.range.from), toMs: Date.parse(result.range.to) } : null;

  return (
    <>
      <PageHeader
        title="Metrics"
        subtitle={
          descriptor ? (
            <>
              {/* Datadog leaves many metrics without type, unit or description: say only what is known. */}
              <span className="mono">{descriptor.name}</span>
              {descriptor.type !== 'UNKNOWN' ? ` · ${descriptor.type.toLowerCase()}` : ''}
              {descriptor.unit ? ` in ${descriptor.unit}` : ''}
              {descriptor.description ? ` · ${descriptor.description}` : ''}
            </>
          ) : (
            'Pick a metric from the catalog'
          )
        }
        actions={
          <>
            <Link to={`/explore/logs?${sharedParams(params).toString()}`} className="button" data-link="logs">
              Logs for this range{search.service ? ` and ${search.service}` : ''} →
            </Link>
            {result?.url ? (
              <a className="button" href={result.url} target="_blank" rel="noreferrer">
                Open in {toolName(result.url)} ↗
              </a>
            ) : null}
          </>
        }
      />
      <Form method="get" className="explorer-form" key={location.search}>
        <div className="explorer-row">
          <MetricPicker catalog={data.catalog} value={search.metric} onPick={pick} />
          <ScopeSelects services={data.services} environments={data.environments} service={search.service} environment={search.environment} />
          <span className="spacer" />
          <TimePicker path="/explore/metrics" params={params} range={search.range} nowMs={now} refresh={search.refresh} />
        </div>
        {descriptor ? (
          <>
            <div className="explorer-row">
              <label className="inline-label">
                Aggregation
                <select name="agg" defaultValue={search.aggregation ?? descriptor.defaultAggregation} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
                  {AGGREGATIONS.filter((a) => descriptor.aggregations.includes(a)).map((a) => (
                    <option key={a} value={a}>
                      {a.toLowerCase()}
                    </option>
                  ))}
                </select>
              </label>
              <fieldset className="group-by" aria-label="Group by">
                <span className="muted small">by</span>
                <input type="hidden" name="grouped" value="1" />
                {descriptor.labels.map((label) => (
                  <label key={label} className="check">
                    <input type="checkbox" name="by" value={label} defaultChecked={(search.groupBy ?? ['service', 'env']).includes(label)} onChange={(e) => e.currentTarget.form?.requestSubmit()} />
                    {label}
                  </label>
                ))}
              </fieldset>
              <label className="inline-label">
                Step
                <select name="step" defaultValue={search.step ?? ''} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
                  <option value="">auto</option>
                  {[...new Set([...STEP_CHOICES, ...(search.step ? [search.step] : [])])].map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <LabelFilters metric={descriptor.name} labels={descriptor.labels} initial={search.matchers} scopeParams={sharedParams(params)} />
            <input type="hidden" name="metric" value={descriptor.name} />
          </>
        ) : null}
      </Form>
      <Problems problems={data.problems} />

      {result && window_ && descriptor ? (
        <section className="section" aria-label="Chart">
          <header className="section-head">
            <h2>
              {descriptor.name} <span className="count">{result.aggregation.toLowerCase()}</span>
            </h2>
            <div className="section-actions small">
              <span data-step={result.step}>
                step {result.step}
                {result.requestedStep && result.requestedStep !== result.step ? (
                  <span className="warn-text"> (raised from {result.requestedStep} to stay within {formatCount(result.maxPoints)} points)</span>
                ) : result.requestedStep ? null : (
                  <span className="muted"> (auto, ≤ {formatCount(result.maxPoints)} points)</span>
                )}
              </span>
              <span className="muted">
                {result.series.length} series · {formatCount(result.series.reduce((n, s) => n + s.points.length, 0))} points
              </span>
              <span className="legend-markers">
                <span className="marker-key deploy">▼ deploy</span> <span className="marker-key incident">● incident</span>
              </span>
            </div>
          </header>
          <MetricChart
            series={result.series}
            metric={descriptor.name}
            window={window_}
            deploys={data.deploys}
            incidents={data.incidents}
            nowMs={now}
            height={320}
            mark="opsorch:first-chart"
            onZoom={(from, to) => {
              const r = absolute(from, to);
              go({ from: r.from, to: r.to });
            }}
          />
          {result.query ? (
            <div className="promql">
              {/* In the metrics tool's own language: PromQL for Prometheus, a metric query for Datadog. */}
              <span className="muted small">Query</span> <code>{result.query}</code>
            </div>
          ) : null}
          {result.series.length ? <SeriesStats series={result.series} metric={descriptor.name} /> : null}
          {data.deploys.length || data.incidents.length ? (
            <ul className="marker-list small" aria-label="Markers">
              {data.deploys.map((d) => (
                <li key={d.id} className="marker-deploy">
                  ▼ <time dateTime={d.startedAt}>{d.startedAt.slice(0, 16).replace('T', ' ')}</time> deploy <Link to={`/services/${d.service?.id}`}>{d.service?.id}</Link> {d.version}{' '}
                  <span className="muted">({d.environment}, {d.status.toLowerCase().replace('_', ' ')})</span>
                </li>
              ))}
              {data.incidents.map((i) => (
                <li key={i.id} className="marker-incident">
                  ● <time dateTime={i.startedAt}>{i.startedAt.slice(0, 16).replace('T', ' ')}</time> <Link to={`/incidents/${encodeURIComponent(i.id)}`}>#{i.number} {i.title}</Link>{' '}
                  <span className="muted">({i.status.toLowerCase()})</span>
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : !search.metric ? (
        <CatalogTable catalog={data.catalog} onPick={pick} />
      ) : !descriptor ? (
        <Empty>No metric named “{search.metric}” in the catalog.</Empty>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
