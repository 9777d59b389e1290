// Every page of the console, with real ids from the API: what the layout test measures and the screenshot script
// shoots. Kept free of vitest so scripts can use it too.
import { gql } from '../../gateway/test/harness.ts';

export interface ConsolePage {
  /** A short name for reports and screenshot files. */
  name: string;
  path: string;
}

const IDS = /* GraphQL */ `
  {
    incidents(first: 20) { nodes { id number } }
    alerts(first: 1, filter: { states: [FIRING] }) { nodes { id } }
    tickets(first: 1) { nodes { id } }
    runbooks(first: 1) { nodes { id } }
    runbookRuns(first: 1) { nodes { id } }
    teams(first: 1) { nodes { id } }
  }
`;

/** The console's pages, detail pages included (every incident; services of each kind). */
export async function consolePages(graphqlUrl: string): Promise<ConsolePage[]> {
  const answer = await gql<{
    incidents: { nodes: { id: string; number: number }[] };
    alerts: { nodes: { id: string }[] };
    tickets: { nodes: { id: string }[] };
    runbooks: { nodes: { id: string }[] };
    runbookRuns: { nodes: { id: string }[] };
    teams: { nodes: { id: string }[] };
  }>(graphqlUrl, IDS);
  if (answer.errors || !answer.data) throw new Error(`the console's ids could not be read: ${JSON.stringify(answer.errors)}`);
  const { incidents, alerts, tickets, runbooks, runbookRuns, teams } = answer.data;
  const at = (path: string, id: string) => `${path}/${encodeURIComponent(id)}`;
  return [
    { name: 'home', path: '/' },
    { name: 'incidents', path: '/incidents' },
    ...incidents.nodes.map((i) => ({ name: `incident-${i.number}`, path: at('/incidents', i.id) })),
    { name: 'alerts', path: '/alerts' },
    { name: 'alert', path: at('/alerts', alerts.nodes[0]!.id) },
    { name: 'services', path: '/services' },
    // A service with every panel, a database, a queue and a third party.
    ...['checkout', 'orders-db', 'kafka', 'stripe-bridge'].map((id) => ({ name: `service-${id}`, path: at('/services', id) })),
    { name: 'service-graph', path: '/services/checkout/graph' },
    { name: 'teams', path: '/teams' },
    { name: 'team', path: at('/teams', teams.nodes[0]!.id) },
    { name: 'deployments', path: '/deployments' },
    { name: 'tickets', path: '/tickets' },
    { name: 'ticket', path: at('/tickets', tickets.nodes[0]!.id) },
    { name: 'ticket-new', path: '/tickets/new' },
    { name: 'runbooks', path: '/runbooks' },
    { name: 'runbook', path: at('/runbooks', runbooks.nodes[0]!.id) },
    { name: 'runs', path: '/runs' },
    { name: 'run', path: at('/runs', runbookRuns.nodes[0]!.id) },
    { name: 'logs', path: '/explore/logs' },
    { name: 'metrics', path: '/explore/metrics' },
    { name: 'metrics-by-code', path: '/explore/metrics?metric=http_requests_total&agg=RATE&by=code&service=checkout&from=now-6h' },
    { name: 'metrics-many-series', path: '/explore/metrics?metric=cpu_usage_ratio&from=now-6h' },
    { name: 'you', path: '/you' },
  ];
}
