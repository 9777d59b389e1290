import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useLocation, useNavigate, useNavigation } from '@remix-run/react';
import { useCallback, useMemo, useRef, useState } from 'react';
import { LEVEL_COLORS, LEVELS } from '../components/explorer/colors.ts';
import { formatCount } from '../components/explorer/format.ts';
import { LogList } from '../components/explorer/log-list.tsx';
import { LogVolume } from '../components/explorer/log-volume.tsx';
import { OP_SYMBOLS, parseLogQuery, withFilter, withoutFilter, type FieldFilter } from '../components/explorer/log-query.ts';
import { DEFAULT_LIMIT, LIMITS, logQueryInput, logSearchFrom, type LogLine } from '../components/explorer/log-search.ts';
import { fetchLines } from '../components/explorer/logs.server.ts';
import { QueryBar } from '../components/explorer/query-bar.tsx';
import { FieldSummary } from '../components/explorer/field-summary.tsx';
import { LiveControls, useLiveTail, type LiveState } from '../components/explorer/live-tail.tsx';
import { absolute, sharedParams, withParams } from '../components/explorer/range.ts';
import { ScopeSelects } from '../components/explorer/scope-selects.tsx';
import { TimePicker } from '../components/explorer/time-picker.tsx';
import '../components/explorer/explorer.css';
import { Empty, PageHeader, Problems } from '../components/ui.tsx';
import { ExplorerLogOverviewDocument, ExplorerScopeDocument } from '../graphql/explorer/generated.ts';
import { query } from '../lib/api.server.ts';
import { dedupeProblems } from '../lib/problems.ts';
import { useNow } from '../lib/time.tsx';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'Logs · OpsOrch' }];

/** Volume histogram buckets: about one per 12 px of a wide chart. */
const BUCKETS = 90;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const search = logSearchFrom(new URL(request.url));
  const input = logQueryInput(search);
  const [page, overview, scope] = await Promise.all([
    fetchLines(request, context, input, search.range, search.order, search.limit),
    query(request, context, ExplorerLogOverviewDocument, { query: input, scope: input.scope, range: search.range, buckets: BUCKETS }),
    query(request, context, ExplorerScopeDocument, {}),
  ]);
  const services = scope.data?.services?.nodes ?? [];
  const volume = overview.data?.logVolume ?? null;
  return {
    search,
    lines: page.lines,
    cursor: page.cursor,
    range: page.range ?? volume?.range ?? null,
    volume,
    fields: overview.data?.logFields ?? [],
    services: services.map((s) => ({ id: s.id, name: s.name })),
    environments: [...new Set(services.flatMap((s) => s.environments))].sort(),
    problems: dedupeProblems([
      ...page.problems,
      ...overview.problems,
      ...(volume?.providerErrors ?? []).map((e) => ({ message: e.message, code: e.code, capability: e.capability, provider: e.provider })),
    ]),
  };
}

export default function LogsPage() {
  const location = useLocation();
  // A new search starts a new view (lines, live tail, expanded rows); a revalidation keeps them.
  return <LogsView key={location.search} />;
}

function LogsView() {
  const data = useLoaderData<typeof loader>();
  const { search } = data;
  const location = useLocation();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const now = useNow();
  const params = useMemo(() => new URLSearchParams(location.search), [location.search]);
  const form = useRef<HTMLFormElement>(null);

  const [lines, setLines] = useState<LogLine[]>(data.lines);
  const [cursor, setCursor] = useState<string | null>(data.cursor);
  const [live, setLive] = useState<LiveState>('off');
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);

  const go = useCallback((updates: Record<string, string | string[] | null>) => navigate(`/explore/logs${withParams(params, updates)}`), [navigate, params]);
  const onFilter = useCallback((filter: FieldFilter) => go({ q: withFilter(search.q, filter) }), [go, search.q]);
  const traceHref = useCallback(
    (traceId: string) => `/explore/logs${withParams(params, { q: `trace_id=${traceId}`, service: null, level: null, ...(data.range ? { from: data.range.from, to: data.range.to } : {}) })}`,
    [params, data.range],
  );
  const resourceQuery = (updates: Record<string, string | null>) => withParams(params, updates);

  const loadOlder = async () => {
    if (!cursor || !data.range) return;
    setLoadingOlder(true);
    try {
      const response = await fetch(`/explore/logs/page${resourceQuery({ from: data.range.from, to: data.range.to, after: cursor, limit: String(DEFAULT_LIMIT) })}`);
      const page = (await response.json()) as { lines: LogLine[]; cursor: string | null };
      setLines((current) => [...current, ...page.lines]);
      setCursor(page.cursor);
    } finally {
      setLoadingOlder(false);
    }
  };

  const { fresh, tailNote } = useLiveTail({ live, lines, setLines, order: search.order, tailUrl: (since) => `/explore/logs/tail${resourceQuery({ since, from: null, to: null, limit: null })}`, restartOn: location.search });

  const copyLink = () => {
    const pinnedRange = data.range ?? search.range;
    const link = `${window.location.origin}/explore/logs${withParams(params, { from: pinnedRange.from, to: pinnedRange.to })}`;
    void navigator.clipboard?.writeText(link).catch(() => undefined);
    setCopied(link);
  };

  const parsed = parseLogQuery(search.q);
  const volume = data.volume;
  const window_ = data.range ? { fromMs: Date.parse(data.range.from), toMs: Date.parse(data.range.to) } : null;
  const busy = navigation.state === 'loading' && navigation.location.pathname === '/explore/logs';

  return (
    <>
      <PageHeader
        title="Logs"
        subtitle={
          <>
            {search.service ? <Link to={`/services/${encodeURIComponent(search.service)}`}>{search.service}</Link> : 'every service'}
            {search.environment ? <> · {search.environment}</> : null}
          </>
        }
        actions={
          <>
            <Link to={`/explore/metrics?${sharedParams(params).toString()}`} className="button" data-link="metrics">
              Metrics for this range{search.service ? ` and ${search.service}` : ''} →
            </Link>
            <button type="button" onClick={copyLink} title="A link to this exact query and time range">
              Copy link
            </button>
            <a className="button" href={`/explore/logs/download${resourceQuery({ limit: '10000', ...(data.range ? { from: data.range.from, to: data.range.to } : {}) })}`} download>
              Download NDJSON
            </a>
          </>
        }
      />
      {copied ? (
        <div className="copied small" role="status">
          Link copied: <input readOnly value={copied} aria-label="Link to this query" onFocus={(e) => e.currentTarget.select()} />
        </div>
      ) : null}
      <Form method="get" ref={form} className="explorer-form" replace={false}>
        <div className="explorer-row">
          <ScopeSelects services={data.services.map((s) => s.id)} environments={data.environments} service={search.service} environment={search.environment} />
          <QueryBar
            defaultValue={search.q}
            fields={data.fields}
            suggestUrl={(field, text) => `/explore/logs/suggest${resourceQuery({ field, text, ...(data.range ? { from: data.range.from, to: data.range.to } : {}) })}`}
          />
          <button type="submit" className="primary">
            Run query
          </button>
        </div>
        <div className="explorer-row">
          <fieldset className="levels" aria-label="Levels">
            {LEVELS.filter((l) => l !== 'UNKNOWN').map((level) => (
              <label key={level} className="level-toggle" style={{ ['--level' as string]: LEVEL_COLORS[level] }}>
                <input type="checkbox" name="level" value={level} defaultChecked={search.levels.includes(level)} onChange={(e) => e.currentTarget.form?.requestSubmit()} />
                {level.toLowerCase()}
              </label>
            ))}
          </fieldset>
          <select name="order" defaultValue={search.order === 'OLDEST_FIRST' ? 'oldest' : 'newest'} aria-label="Order" onChange={(e) => e.currentTarget.form?.requestSubmit()}>
            <option value="newest">Newest first</option>
            <option value="oldest">Oldest first</option>
          </select>
          <select name="limit" defaultValue={String(search.limit)} aria-label="Line limit" onChange={(e) => e.currentTarget.form?.requestSubmit()}>
            {[...new Set([...LIMITS, search.limit])].sort((a, b) => a - b).map((n) => (
              <option key={n} value={n}>
                {formatCount(n)} lines
              </option>
            ))}
          </select>
          <span className="spacer" />
          <TimePicker path="/explore/logs" params={params} range={search.range} nowMs={now} />
        </div>
        {parsed.filters.length ? (
          <div className="filter-chips" aria-label="Field filters">
            {parsed.filters.map((f, i) => (
              <Link key={`${f.field}${f.op}${f.value}${i}`} to={`/explore/logs${withParams(params, { q: withoutFilter(search.q, i) || null })}`} className="filter-chip" title="Remove this filter">
                <span className="mono">
                  {f.field} {OP_SYMBOLS[f.op]} {f.value}
                </span>{' '}
                ×
              </Link>
            ))}
            {parsed.text ? <span className="muted small">and text “{parsed.text}”</span> : null}
          </div>
        ) : null}
      </Form>
      <Problems problems={data.problems} />

      <LogVolume
        volume={volume}
        window={window_}
        onZoom={(from, to) => {
          const r = absolute(from, to);
          go({ from: r.from, to: r.to });
        }}
        errorsHref={`/explore/logs${withParams(params, { level: ['ERROR', 'FATAL'] })}`}
      />

      <div className="explorer-results">
        <section className="section log-results" aria-label="Log lines">
          <header className="section-head">
            <h2>
              Lines <span className="count" data-line-count={lines.length}>{formatCount(lines.length)}</span>
            </h2>
            <div className="section-actions">
              <LiveControls live={live} onChange={setLive} />
            </div>
          </header>
          {tailNote ? <div className="problems small">{tailNote}</div> : null}
          {lines.length ? (
            <LogList lines={lines} fresh={fresh} onFilter={onFilter} traceHref={traceHref} />
          ) : (
            <Empty>{busy ? 'Searching…' : 'No line matches in this range. Widen the range or loosen the filters.'}</Empty>
          )}
          <div className="pager">
            {cursor ? (
              <button type="button" onClick={() => void loadOlder()} disabled={loadingOlder} data-older>
                {loadingOlder ? 'Loading…' : search.order === 'OLDEST_FIRST' ? 'Newer lines →' : 'Older lines →'}
              </button>
            ) : lines.length ? (
              <span className="muted small">End of the range.</span>
            ) : null}
          </div>
        </section>
        <FieldSummary lines={lines} onFilter={onFilter} />
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
