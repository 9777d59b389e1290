import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { useAutoSubmit } from '../components/auto-submit.ts';
import { FilterEnd, ServiceFilter, TeamFilter } from '../components/filters.tsx';
import { runbookPath, servicePath } from '../components/tables.tsx';
import { Empty, NextPage, PageHeader, Problems, SourceLink } from '../components/ui.tsx';
import { RunbookListDocument } from '../graphql/generated.ts';
import { catalogChoices, query } from '../lib/api.server.ts';
import { pageOf, scopeOf } from '../lib/params.ts';
import { sectionProblems } from '../lib/problems.ts';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'Runbooks · OpsOrch' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = new URL(request.url).searchParams;
  const tags = p.getAll('tag').filter(Boolean);
  const [list, choices] = await Promise.all([
    query(request, context, RunbookListDocument, {
      filter: {
        text: p.get('q') || undefined,
        tags: tags.length ? tags : undefined,
        scope: scopeOf(p),
      },
      ...pageOf(p),
    }),
    catalogChoices(request, context),
  ]);
  return { runbooks: list.data?.runbooks ?? null, problems: list.problems, ...choices };
}

export default function Runbooks() {
  const { runbooks, problems, services, teams } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const autoSubmit = useAutoSubmit();
  return (
    <>
      <PageHeader title="Runbooks" subtitle="Plans of automated and manual steps, run in your workflow engine." actions={<Link to="/runs">Runs →</Link>} />
      <Form method="get" className="filters" onChange={autoSubmit}>
        <input type="search" name="q" defaultValue={params.get('q') ?? ''} placeholder="Search name, description, tags, steps  ( / )" data-search aria-label="Search runbooks" />
        <ServiceFilter services={services} />
        <TeamFilter teams={teams} />
        {params.getAll('tag').map((t) => (
          <input key={t} type="hidden" name="tag" value={t} />
        ))}
        <FilterEnd reset="/runbooks" label="Reset" />
      </Form>
      <Problems problems={sectionProblems(problems, ['runbooks'], runbooks?.providerErrors)} what="runbooks of the failed engines are missing" />
      {runbooks?.nodes.length ? (
        <table className="table">
          <thead>
            <tr>
              <th>Runbook</th>
              <th>Service</th>
              <th className="num">Steps</th>
              <th className="num">Manual</th>
              <th>Tags</th>
              <th aria-label="Source" />
            </tr>
          </thead>
          <tbody>
            {runbooks.nodes.map((r) => (
              <tr key={r.id} data-row>
                <td className="title">
                  <Link to={runbookPath(r.id)} data-row-link prefetch="intent">
                    <strong>{r.name}</strong>
                  </Link>
                  <div className="muted small">{r.description}</div>
                </td>
                <td className="svc">{r.service ? <Link to={servicePath(r.service.id)}>{r.service.id}</Link> : <span className="muted">{r.services.length ? r.services.map((s) => s.id).join(', ') : 'any'}</span>}</td>
                <td className="num">{r.steps.length}</td>
                <td className="num">{r.steps.filter((s) => s.kind !== 'AUTOMATED').length}</td>
                <td className="tags">
                  {r.tags.map((t) => (
                    <Link key={t} to={`?tag=${encodeURIComponent(t)}`} className="tag">
                      {t}
                    </Link>
                  ))}
                </td>
                <td>
                  <SourceLink url={r.url} compact />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>No runbook matches.</Empty>
      )}
      <NextPage search={params} endCursor={runbooks?.pageInfo.endCursor} hasNextPage={runbooks?.pageInfo.hasNextPage} />
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
