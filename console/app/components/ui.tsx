// Small building blocks every page uses: badges, deep links to the source tool, problem notes, sections.
import { Link } from '@remix-run/react';
import type { ApiProblem } from '../lib/problems.ts';

const TOOL_NAMES: [RegExp, string][] = [
  [/pagerduty\./, 'PagerDuty'],
  [/opsgenie\./, 'Opsgenie'],
  [/alertmanager/, 'Alertmanager'],
  [/prometheus/, 'Prometheus'],
  [/grafana/, 'Grafana'],
  [/atlassian\.net|jira/, 'Jira'],
  [/github\.com/, 'GitHub'],
  [/gitlab/, 'GitLab'],
  [/slack\.com/, 'Slack'],
  [/backstage/, 'Backstage'],
  [/rundeck/, 'Rundeck'],
  [/datadoghq/, 'Datadog'],
  [/wiki\./, 'Wiki'],
];

/** The tool a URL belongs to, as people call it ("PagerDuty"), else its host name. */
export function toolName(url: string): string {
  let host = url;
  try {
    host = new URL(url).hostname;
  } catch {
    return 'source';
  }
  for (const [pattern, name] of TOOL_NAMES) if (pattern.test(host)) return name;
  return host;
}

/** "Open in PagerDuty ↗": the deep link into the tool that owns the object. */
/** A link into the tool that owns the object: `Open in PagerDuty ↗`, `PagerDuty ↗` (compact) or `↗` (iconOnly). */
export function SourceLink({ url, label, compact, iconOnly }: { url: string | null | undefined; label?: string; compact?: boolean; iconOnly?: boolean }) {
  if (!url) return null;
  const name = label ?? toolName(url);
  return (
    <a className="source-link" href={url} target="_blank" rel="noreferrer" title={`Open in ${name}: ${url}`} aria-label={iconOnly ? `Open in ${name}` : undefined}>
      {iconOnly ? '' : compact ? `${name} ` : `Open in ${name} `}↗
    </a>
  );
}

function badgeClass(kind: string, value: string) {
  return `badge ${kind}-${value.toLowerCase().replace(/_/g, '-')}`;
}

export function Badge({ kind, value, title, label }: { kind: string; value: string; title?: string; label?: string }) {
  return (
    <span className={badgeClass(kind, value)} title={title}>
      {label ?? value.replace(/_/g, ' ').toLowerCase()}
    </span>
  );
}

export function Severity({ value, raw }: { value: string; raw?: string | null }) {
  return <Badge kind="sev" value={value} label={value === 'UNKNOWN' ? (raw ?? '?') : value.replace('SEV', 'SEV ')} title={raw ? `In the tool: ${raw}` : undefined} />;
}

export function Health({ status, reason, showLabel = true }: { status: string | null | undefined; reason?: string | null; showLabel?: boolean }) {
  const value = status ?? 'UNKNOWN';
  return (
    <span className={`health health-${value.toLowerCase()}`} title={reason ?? value.toLowerCase()}>
      <span className="dot" aria-hidden />
      {showLabel ? value.toLowerCase() : <span className="sr-only">{value.toLowerCase()}</span>}
    </span>
  );
}

export function Tier({ value }: { value: string }) {
  return <span className={`tier tier-${value.toLowerCase()}`}>{value === 'UNKNOWN' ? 'tier ?' : value.replace('TIER_', 'T')}</span>;
}

/** Failures beside partial data: which capability and provider failed, and why. */
export function Problems({ problems, what }: { problems: readonly ApiProblem[] | undefined; what?: string }) {
  if (!problems?.length) return null;
  return (
    <div className="problems" role="alert">
      {problems.map((p, i) => (
        <div key={i} className="problem">
          <strong>
            {p.capability ?? 'API'}
            {p.provider ? ` (${p.provider})` : ''} failed
          </strong>
          {p.code ? <code>{p.code}</code> : null}
          <span>{p.message}</span>
          {what ? <span className="muted"> — {what}</span> : null}
        </div>
      ))}
    </div>
  );
}

export function Section({
  title,
  count,
  actions,
  problems,
  children,
  id,
}: {
  title: React.ReactNode;
  count?: number | null;
  actions?: React.ReactNode;
  problems?: readonly ApiProblem[];
  children: React.ReactNode;
  id?: string;
}) {
  return (
    <section className="section" id={id} aria-label={typeof title === 'string' ? title : undefined}>
      <header className="section-head">
        <h2>
          {title}
          {count != null ? <span className="count">{count}</span> : null}
        </h2>
        {actions ? <div className="section-actions">{actions}</div> : null}
      </header>
      <Problems problems={problems} what="what follows may be incomplete" />
      {children}
    </section>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function PageHeader({
  title,
  subtitle,
  actions,
  crumbs,
}: {
  title: React.ReactNode;
  subtitle?: React.ReactNode;
  actions?: React.ReactNode;
  crumbs?: { to: string; label: string }[];
}) {
  return (
    <header className="page-head">
      <div>
        {crumbs?.length ? (
          <nav className="crumbs" aria-label="Breadcrumb">
            {crumbs.map((c) => (
              <Link key={c.to} to={c.to}>
                {c.label}
              </Link>
            ))}
          </nav>
        ) : null}
        <h1>{title}</h1>
        {subtitle ? <div className="subtitle">{subtitle}</div> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

export function Kbd({ k }: { k: string }) {
  return <kbd className="inline-kbd">{k}</kbd>;
}

/** A person, linking to their profile in the on-call tool. */
export function Person({ user }: { user: { name: string; url?: string; email?: string } | null | undefined }) {
  if (!user) return <span className="muted">—</span>;
  return user.url ? (
    <a href={user.url} target="_blank" rel="noreferrer" title={user.email}>
      {user.name}
    </a>
  ) : (
    <span title={user.email}>{user.name}</span>
  );
}

/** "Next page" for cursor connections: keeps every other search parameter. */
export function NextPage({ search, endCursor, hasNextPage }: { search: URLSearchParams; endCursor: string | null | undefined; hasNextPage: boolean | undefined }) {
  const first = new URLSearchParams(search);
  first.delete('after');
  const next = new URLSearchParams(search);
  if (endCursor) next.set('after', endCursor);
  return (
    <div className="pager">
      {search.has('after') ? <Link to={`?${first}`}>↤ First page</Link> : null}
      {hasNextPage && endCursor ? (
        <Link to={`?${next}`} rel="next">
          Next page ↦
        </Link>
      ) : null}
    </div>
  );
}

/** An id shown in monospace with a copy-friendly title. */
export function Id({ value }: { value: string }) {
  return (
    <code className="id" title={value}>
      {value}
    </code>
  );
}

/** Field errors of an action: a message under the field, in words that say what to fix. */
export function FieldError({ errors, name }: { errors?: Record<string, string | undefined> | null; name: string }) {
  const message = errors?.[name];
  if (!message) return null;
  return (
    <div className="field-error" role="alert" id={`${name}-error`}>
      {message}
    </div>
  );
}

/** The environment an approval step lets the engine deploy to ("approves production"): a person must see it before approving. */
export function ApprovesEnvironment({ step }: { step: { kind: string; environment?: string | null } }) {
  if (step.kind !== 'APPROVAL' || !step.environment) return null;
  return (
    <div className="step-environment" data-environment={step.environment}>
      approves <strong>{step.environment}</strong>
    </div>
  );
}
