import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useLocation, useNavigate } from '@remix-run/react';
import { useMemo, useState } from 'react';
import { formatCount } from '../components/explorer/format.ts';
import { MetricChart, SeriesStats } from '../components/explorer/metric-chart.tsx';
import { AGGREGATIONS, MATCH_SYMBOLS, metricSearchFrom, STEP_CHOICES } from '../components/explorer/metric-search.ts';
import { absolute, sharedParams, withParams } from '../components/explorer/range.ts';
import { ScopeSelects } from '../components/explorer/scope-selects.tsx';
import { TimePicker } from '../components/explorer/time-picker.tsx';
import '../components/explorer/explorer.css';
import { Empty, PageHeader, Problems } from '../components/ui.tsx';
import { ExplorerMetricCatalogDocument, ExplorerMetricSeriesDocument, ExplorerScopeDocument, type MetricLabelMatchOp } from '../graphql/explorer/generated.ts';
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

type Catalog = ReturnType<typeof useLoaderData<typeof loader>>['catalog'];

interface MatcherRow {
  key: number;
  name: string;
  op: MetricLabelMatchOp;
  value: string;
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
              <span className="mono">{descriptor.name}</span> · {descriptor.type.toLowerCase()} in {descriptor.unit} · {descriptor.description}
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
                Open in Prometheus ↗
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
              <span className="muted small">PromQL</span> <code>{result.query}</code>
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

/** A searchable list of the catalog: name, type, unit and description. */
function MetricPicker({ catalog, value, onPick }: { catalog: Catalog; value: string | null; onPick: (name: string) => void }) {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const needle = text.toLowerCase();
  const matches = catalog.filter((d) => !needle || d.name.includes(needle) || d.description.toLowerCase().includes(needle));
  return (
    <div className="metric-picker">
      <input
        value={open ? text : (value ?? '')}
        placeholder="Metric: type to search the catalog"
        aria-label="Metric"
        role="combobox"
        aria-expanded={open}
        aria-controls="metric-options"
        spellCheck={false}
        data-search
        onFocus={() => {
          setOpen(true);
          setText('');
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(matches.length - 1, a + 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
          else if (e.key === 'Enter' && matches[active]) {
            e.preventDefault();
            onPick(matches[active].name);
            e.currentTarget.blur();
          } else return;
          e.preventDefault();
        }}
      />
      {open ? (
        <ul className="metric-options" id="metric-options" role="listbox">
          {matches.map((d, i) => (
            <li key={d.name} role="option" aria-selected={i === active}>
              <button type="button" className={i === active ? 'active' : undefined} onMouseDown={(e) => e.preventDefault()} onClick={() => onPick(d.name)}>
                <span className="mono">{d.name}</span> <span className={`badge metric-type-${d.type.toLowerCase()}`}>{d.type.toLowerCase()}</span>{' '}
                <span className="muted small">{d.unit}</span>
                <span className="metric-description small muted">{d.description}</span>
              </button>
            </li>
          ))}
          {matches.length ? null : <li className="muted small">No metric matches “{text}”.</li>}
        </ul>
      ) : null}
    </div>
  );
}

function CatalogTable({ catalog, onPick }: { catalog: Catalog; onPick: (name: string) => void }) {
  return (
    <section className="section" aria-label="Metric catalog">
      <header className="section-head">
        <h2>
          Catalog <span className="count">{catalog.length}</span>
        </h2>
      </header>
      <table className="table">
        <thead>
          <tr>
            <th>Metric</th>
            <th>Type</th>
            <th>Unit</th>
            <th>Labels</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {catalog.map((d) => (
            <tr key={d.name}>
              <td>
                <button type="button" className="linklike mono" onClick={() => onPick(d.name)}>
                  {d.name}
                </button>
              </td>
              <td>
                <span className={`badge metric-type-${d.type.toLowerCase()}`}>{d.type.toLowerCase()}</span>
              </td>
              <td>{d.unit}</td>
              <td className="mono small">{d.labels.join(', ')}</td>
              <td className="muted">{d.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Label matchers as rows; each becomes an `m` parameter (`route=/api/cart`, `code!=200`, `pod=~checkout-.*`). */
function LabelFilters({
  metric,
  labels,
  initial,
  scopeParams,
}: {
  metric: string;
  labels: string[];
  initial: { name: string; op?: MetricLabelMatchOp | null; value: string }[];
  scopeParams: URLSearchParams;
}) {
  const [rows, setRows] = useState<MatcherRow[]>(() => initial.map((m, key) => ({ key, name: m.name, op: m.op ?? 'EQUALS', value: m.value })));
  const [values, setValues] = useState<Record<string, string[]>>({});
  const choices = labels.filter((l) => l !== 'service' && l !== 'env');
  const loadValues = (name: string) => {
    if (!name || values[name]) return;
    const q = new URLSearchParams(scopeParams);
    q.set('name', metric);
    q.set('label', name);
    void fetch(`/explore/metrics/labels?${q}`)
      .then((r) => (r.ok ? (r.json() as Promise<{ values: string[] }>) : { values: [] }))
      .then((answer) => setValues((v) => ({ ...v, [name]: answer.values })));
  };
  const update = (key: number, patch: Partial<MatcherRow>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <div className="explorer-row label-filters" aria-label="Label filters">
      {rows.map((row) => (
        <span key={row.key} className="matcher">
          <select aria-label="Label" value={row.name} onChange={(e) => (update(row.key, { name: e.target.value }), loadValues(e.target.value))}>
            {choices.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
          <select aria-label="Operator" value={row.op} onChange={(e) => update(row.key, { op: e.target.value as MetricLabelMatchOp })}>
            {(Object.keys(MATCH_SYMBOLS) as MetricLabelMatchOp[]).map((op) => (
              <option key={op} value={op}>
                {MATCH_SYMBOLS[op]}
              </option>
            ))}
          </select>
          <input
            aria-label="Value"
            value={row.value}
            list={`label-values-${row.name}`}
            onFocus={() => loadValues(row.name)}
            onChange={(e) => update(row.key, { value: e.target.value })}
            spellCheck={false}
          />
          <datalist id={`label-values-${row.name}`}>
            {(values[row.name] ?? []).map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
          {row.value ? <input type="hidden" name="m" value={`${row.name}${MATCH_SYMBOLS[row.op]}${row.value}`} /> : null}
          <button type="button" aria-label="Remove this label filter" onClick={() => setRows((rs) => rs.filter((r) => r.key !== row.key))}>
            ×
          </button>
        </span>
      ))}
      {choices.length ? (
        <button
          type="button"
          onClick={() => {
            const name = choices[0]!;
            setRows((rs) => [...rs, { key: Date.now(), name, op: 'EQUALS', value: '' }]);
            loadValues(name);
          }}
        >
          + Label filter
        </button>
      ) : null}
      {rows.length ? (
        <button type="submit" className="primary">
          Apply filters
        </button>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
