import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { minutesAgo } from './clock.ts';
import { hexFor, intBetween, pick, rngFor } from './random.ts';

export const DEMO_SEED = 20261126;

const ORG = 'acme-shop';
const EMAIL_DOMAIN = 'acme-shop.example';
const WIKI = 'https://wiki.acme-shop.example';
const GRAFANA = 'https://grafana.acme-shop.example';

// ---------------------------------------------------------------------------------------------
// Types

export type ServiceKind = 'service' | 'database' | 'queue' | 'third-party' | 'frontend';
export type Tier = 1 | 2 | 3;
export type Environment = 'production' | 'staging';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export type Role = 'engineer' | 'senior-engineer' | 'sre' | 'engineering-manager' | 'staff-engineer';
export type Severity = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4' | 'SEV5';
export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';
export type ScenarioKind =
  | 'bad-deploy'
  | 'db-saturation'
  | 'third-party-degraded'
  | 'disk-capacity'
  | 'resolved-history'
  // Only in world variants (OPSORCH_DEMO_WORLD), such as the copilot's evaluations.
  | 'config-change'
  | 'dependency-failure';
export type TimelineKind =
  | 'triggered'
  | 'acknowledged'
  | 'note'
  | 'status_update'
  | 'escalated'
  | 'deploy'
  | 'alert'
  | 'resolved';
export type AlertSeverity = 'critical' | 'warning' | 'info';
export type TicketStatus = 'To Do' | 'In Progress' | 'Done';
export type TicketPriority = 'Highest' | 'High' | 'Medium' | 'Low';
export type DeployStatus = 'succeeded' | 'failed' | 'rolled_back';

export interface Link {
  title: string;
  url: string;
}

/** A log line template; `{name}` placeholders are listed in LOG_PLACEHOLDERS. */
export interface LogPattern {
  level: LogLevel;
  message: string;
  weight: number;
}

/** Steady-state behaviour the metric and log generators start from. */
export interface ServiceBaseline {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Fraction of requests failing, e.g. 0.002. */
  errorRate: number;
  /** Fraction of allotted CPU, 0..1. */
  cpu: number;
  memoryMb: number;
}

export interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
}

export interface ExternalRefs {
  pagerduty: string;
  prometheus: string;
  datadog: string;
  github: string;
}

export interface DemoService {
  id: string;
  name: string;
  description: string;
  tier: Tier;
  ownerTeamId: string;
  tags: string[];
  language: string;
  kind: ServiceKind;
  /** Version running in production now (after any scenario deploy). */
  version: string;
  repoUrl: string;
  /** Ids of the services this one calls. Acyclic. */
  dependencies: string[];
  externalRefs: ExternalRefs;
  links: Link[];
  environments: Environment[];
  baseline: ServiceBaseline;
  /** HTTP surface for access-log lines ({method} {path}); empty for databases and queues. */
  endpoints: Endpoint[];
  /** Overrides NORMAL_LOG_PATTERNS[kind] when the kind's defaults would read wrong (e.g. Redis). */
  logPatterns?: LogPattern[];
}

export interface Rotation {
  id: string;
  name: string;
  shiftHours: number;
  handoffHourUtc: number;
  order: string[];
  /** RFC 3339 instant the first shift (order[0]) starts at. */
  epoch: string;
}

export interface DemoTeam {
  id: string;
  name: string;
  description: string;
  parentId?: string;
  memberIds: string[];
  managerId: string;
  slackChannel: string;
  rotation: Rotation;
}

export interface DemoPerson {
  id: string;
  name: string;
  email: string;
  role: Role;
  teamId: string;
  timezone: string;
  slackHandle: string;
}

/**
 * A person a scenario names, by their part in it: a fixed person (`'alice-nguyen'`: a manager, a change's
 * author, an appointed commander), or whoever held a team's on-call shift at a moment of the scenario. Shifts
 * rotate with the calendar while scenarios move with the clock, so on-call parts are resolved against the
 * rotation (see storyOf): the story then names the same people the on-call tool does.
 */
export type CastMember = string | { onCall: string; level: 'primary' | 'secondary'; minutesAgo: number };

export interface TimelineEntry {
  minutesAgo: number;
  kind: TimelineKind;
  /** The cast part who did it. */
  actor?: string;
  /** `{part}` is replaced by the name of that cast member. */
  message: string;
}

export interface ScenarioAlert {
  name: string;
  serviceId: string;
  severity: AlertSeverity;
  summary: string;
  description: string;
  labels: Record<string, string>;
  firingMinutesAgo: number;
  resolvedMinutesAgo?: number;
}

export interface SignalEffects {
  /** Fraction of failing requests while the signal is active, e.g. 0.18. */
  errorRate?: number;
  /** Multiplies baseline latency (p50 and p99). */
  latencyFactor?: number;
  /** 0..1: DB pool, CPU or consumer saturation. */
  saturation?: number;
  /** 0..1 of the data volume. */
  diskUsedFraction?: number;
}

export interface ScenarioSignal {
  serviceId: string;
  startedMinutesAgo: number;
  /** When set, the effect ends then (resolved scenarios). */
  endedMinutesAgo?: number;
  effects: SignalEffects;
  /** Mixed into the service's normal log stream while active. */
  logPatterns: LogPattern[];
}

export interface ScenarioDeploy {
  serviceId: string;
  version: string;
  previousVersion: string;
  minutesAgo: number;
  authorId: string;
  commitSha: string;
  commitMessage: string;
  prNumber: number;
}

export interface ScenarioTicket {
  key: string;
  title: string;
  description: string;
  /** Cast parts. */
  assignee: string;
  reporter: string;
  status: TicketStatus;
  priority: TicketPriority;
  createdMinutesAgo: number;
  labels: string[];
}

export interface ScenarioIncident {
  nativeId: string;
  number: number;
  /** Cast parts: who the incident is assigned to now, and its commander when one was appointed. */
  assignee: string;
  commander?: string;
}

export interface DemoScenario {
  id: string;
  kind: ScenarioKind;
  title: string;
  summary: string;
  rootServiceId: string;
  affectedServiceIds: string[];
  severity: Severity;
  status: IncidentStatus;
  startedMinutesAgo: number;
  /** When the incident was opened (the paging alert); startedMinutesAgo is when the fault began. */
  triggeredMinutesAgo: number;
  acknowledgedMinutesAgo?: number;
  resolvedMinutesAgo?: number;
  /** The people of the scenario by part; timelines, tickets and runs name them by part. */
  cast: Record<string, CastMember>;
  incident: ScenarioIncident;
  timeline: TimelineEntry[];
  alerts: ScenarioAlert[];
  signals: ScenarioSignal[];
  deploy?: ScenarioDeploy;
  ticket: ScenarioTicket;
  runbookIds: string[];
  slackChannel: string;
  links: Link[];
}

export interface DemoRunbook {
  id: string;
  title: string;
  summary: string;
  url: string;
  serviceIds: string[];
  tags: string[];
  steps: string[];
}

export interface DemoDeploy {
  id: string;
  serviceId: string;
  version: string;
  minutesAgo: number;
  authorId: string;
  commitSha: string;
  commitMessage: string;
  prNumber: number;
  status: DeployStatus;
  environment: Environment;
}

// ---------------------------------------------------------------------------------------------
// People and teams

function person(
  id: string,
  name: string,
  role: Role,
  teamId: string,
  timezone: string,
): DemoPerson {
  const [first = id, last = ''] = id.split('-');
  return {
    id,
    name,
    email: `${first}.${last}@${EMAIL_DOMAIN}`,
    role,
    teamId,
    timezone,
    slackHandle: `@${first}${last.charAt(0)}`,
  };
}

export const people: readonly DemoPerson[] = [
  // platform
  person('priya-raman', 'Priya Raman', 'engineering-manager', 'platform', 'Europe/London'),
  person('hana-kobayashi', 'Hana Kobayashi', 'staff-engineer', 'platform', 'Asia/Tokyo'),
  person('marcus-oyelaran', 'Marcus Oyelaran', 'sre', 'platform', 'Europe/London'),
  person('lena-fischer', 'Lena Fischer', 'senior-engineer', 'platform', 'Europe/Berlin'),
  person('tomas-silva', 'Tomás Silva', 'sre', 'platform', 'Europe/Lisbon'),
  // data-infra
  person('daniel-okafor', 'Daniel Okafor', 'engineering-manager', 'data-infra', 'Europe/London'),
  person('sofia-marchetti', 'Sofia Marchetti', 'staff-engineer', 'data-infra', 'Europe/Rome'),
  person('ravi-deshpande', 'Ravi Deshpande', 'sre', 'data-infra', 'Asia/Kolkata'),
  person('emma-lindqvist', 'Emma Lindqvist', 'senior-engineer', 'data-infra', 'Europe/Stockholm'),
  // commerce
  person('alice-nguyen', 'Alice Nguyen', 'engineering-manager', 'commerce', 'America/New_York'),
  person('jonas-weber', 'Jonas Weber', 'senior-engineer', 'commerce', 'Europe/Berlin'),
  person('maya-patel', 'Maya Patel', 'engineer', 'commerce', 'America/New_York'),
  person('diego-ramirez', 'Diego Ramírez', 'senior-engineer', 'commerce', 'America/Mexico_City'),
  person('chloe-martin', 'Chloé Martin', 'engineer', 'commerce', 'Europe/Paris'),
  // payments
  person('samuel-adeyemi', 'Samuel Adeyemi', 'engineering-manager', 'payments', 'Africa/Lagos'),
  person('olivia-brooks', 'Olivia Brooks', 'staff-engineer', 'payments', 'America/Chicago'),
  person('yuki-tanaka', 'Yuki Tanaka', 'senior-engineer', 'payments', 'Asia/Tokyo'),
  person('kwame-mensah', 'Kwame Mensah', 'engineer', 'payments', 'Africa/Accra'),
  // growth
  person('nora-haddad', 'Nora Haddad', 'engineering-manager', 'growth', 'America/Los_Angeles'),
  person('zoe-kim', 'Zoe Kim', 'senior-engineer', 'growth', 'America/Los_Angeles'),
  person('liam-obrien', "Liam O'Brien", 'senior-engineer', 'growth', 'Europe/Dublin'),
  person('isabel-costa', 'Isabel Costa', 'engineer', 'growth', 'America/Sao_Paulo'),
  person('arjun-mehta', 'Arjun Mehta', 'engineer', 'growth', 'Asia/Kolkata'),
];

const ROTATION_EPOCH = '2026-01-05T09:00:00Z'; // a Monday, 09:00 UTC

function team(
  t: Omit<DemoTeam, 'memberIds' | 'slackChannel' | 'rotation'> & {
    shiftHours: number;
    order: string[];
  },
): DemoTeam {
  const memberIds = people.filter((p) => p.teamId === t.id).map((p) => p.id);
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    ...(t.parentId ? { parentId: t.parentId } : {}),
    memberIds,
    managerId: t.managerId,
    slackChannel: `#team-${t.id}`,
    rotation: {
      id: `rot-${t.id}`,
      name: `${t.name} ${t.shiftHours === 24 ? 'daily' : 'weekly'} on-call`,
      shiftHours: t.shiftHours,
      handoffHourUtc: 9,
      order: t.order,
      epoch: ROTATION_EPOCH,
    },
  };
}

export const teams: readonly DemoTeam[] = [
  team({
    id: 'platform',
    name: 'Platform',
    description: 'Edge, identity and shared runtime: the API gateway, authentication and session storage.',
    managerId: 'priya-raman',
    shiftHours: 168,
    order: ['marcus-oyelaran', 'lena-fischer', 'tomas-silva', 'hana-kobayashi'],
  }),
  team({
    id: 'data-infra',
    name: 'Data Infrastructure',
    description: 'Owns the primary Postgres cluster, Kafka and blob storage for product media.',
    parentId: 'platform',
    managerId: 'daniel-okafor',
    shiftHours: 168,
    order: ['ravi-deshpande', 'emma-lindqvist', 'sofia-marchetti'],
  }),
  team({
    id: 'commerce',
    name: 'Commerce',
    description: 'The buying journey from cart to shipped parcel: cart, checkout, inventory, catalog and shipping.',
    managerId: 'alice-nguyen',
    shiftHours: 168,
    order: ['maya-patel', 'jonas-weber', 'diego-ramirez', 'chloe-martin'],
  }),
  team({
    id: 'payments',
    name: 'Payments',
    description: 'Takes the money: payment orchestration, the Stripe integration and fraud scoring.',
    parentId: 'commerce',
    managerId: 'samuel-adeyemi',
    shiftHours: 24,
    order: ['yuki-tanaka', 'kwame-mensah', 'olivia-brooks'],
  }),
  team({
    id: 'growth',
    name: 'Growth',
    description: 'Storefront, search, recommendations and customer notifications.',
    managerId: 'nora-haddad',
    shiftHours: 168,
    order: ['zoe-kim', 'liam-obrien', 'isabel-costa', 'arjun-mehta'],
  }),
];

// ---------------------------------------------------------------------------------------------
// Services

type ServiceInput = Omit<
  DemoService,
  'repoUrl' | 'externalRefs' | 'links' | 'environments' | 'endpoints'
> & {
  pagerduty: string;
  datadog: string;
  endpoints?: Endpoint[];
};

function service(s: ServiceInput): DemoService {
  const { pagerduty, datadog, endpoints = [], ...rest } = s;
  return {
    ...rest,
    repoUrl: `https://github.com/${ORG}/${s.id}`,
    externalRefs: { pagerduty, prometheus: s.id, datadog, github: `${ORG}/${s.id}` },
    links: [
      { title: 'Runbook', url: `${WIKI}/runbooks/${s.id}` },
      { title: 'Grafana dashboard', url: `${GRAFANA}/d/${s.id}/${s.id}-overview` },
      { title: 'Repository', url: `https://github.com/${ORG}/${s.id}` },
    ],
    environments: ['production', 'staging'],
    endpoints,
  };
}

const e = (method: Endpoint['method'], path: string): Endpoint => ({ method, path });

export const services: readonly DemoService[] = [
  service({
    id: 'web-frontend',
    name: 'Web Storefront',
    description: 'Server-rendered storefront (Next.js) serving www.acme-shop.example.',
    tier: 1,
    ownerTeamId: 'growth',
    tags: ['customer-facing', 'ssr', 'edge'],
    language: 'typescript',
    kind: 'frontend',
    version: '5.31.2',
    dependencies: ['api-gateway', 'media-storage'],
    pagerduty: 'PWF3N8K',
    datadog: 'web-frontend-svc',
    baseline: { rps: 420, p50Ms: 45, p99Ms: 380, errorRate: 0.002, cpu: 0.35, memoryMb: 768 },
    endpoints: [e('GET', '/'), e('GET', '/p/{sku}'), e('GET', '/c/outdoor'), e('GET', '/cart'), e('GET', '/checkout'), e('GET', '/search')],
  }),
  service({
    id: 'api-gateway',
    name: 'API Gateway',
    description: 'Public API edge: routing, rate limiting and token verification for web and mobile clients.',
    tier: 1,
    ownerTeamId: 'platform',
    tags: ['customer-facing', 'edge', 'envoy'],
    language: 'go',
    kind: 'service',
    version: '3.8.1',
    dependencies: ['auth', 'checkout', 'cart', 'catalog', 'search', 'recommendations', 'inventory'],
    pagerduty: 'PG8TW2R',
    datadog: 'api-gateway-svc',
    baseline: { rps: 1150, p50Ms: 12, p99Ms: 140, errorRate: 0.001, cpu: 0.42, memoryMb: 512 },
    endpoints: [e('GET', '/v1/products/{sku}'), e('POST', '/v1/checkout'), e('GET', '/v1/cart'), e('GET', '/v1/search'), e('GET', '/v1/recommendations'), e('POST', '/v1/auth/token')],
  }),
  service({
    id: 'auth',
    name: 'Auth',
    description: 'Customer and staff authentication: login, OAuth, JWT issuance and the JWKS endpoint.',
    tier: 1,
    ownerTeamId: 'platform',
    tags: ['security', 'identity'],
    language: 'go',
    kind: 'service',
    version: '4.12.0',
    dependencies: ['sessions-cache'],
    pagerduty: 'PA4UT9H',
    datadog: 'auth-svc',
    baseline: { rps: 380, p50Ms: 8, p99Ms: 60, errorRate: 0.0008, cpu: 0.25, memoryMb: 384 },
    endpoints: [e('POST', '/oauth/token'), e('POST', '/login'), e('GET', '/.well-known/jwks.json'), e('POST', '/logout')],
  }),
  service({
    id: 'sessions-cache',
    name: 'Sessions Cache',
    description: 'Redis cluster holding customer sessions and cart snapshots.',
    tier: 1,
    ownerTeamId: 'platform',
    tags: ['redis', 'cache', 'stateful'],
    language: 'redis',
    kind: 'database',
    version: '1.6.0',
    dependencies: [],
    pagerduty: 'PSC7Q1M',
    datadog: 'sessions-redis',
    baseline: { rps: 2600, p50Ms: 0.4, p99Ms: 3, errorRate: 0.0001, cpu: 0.18, memoryMb: 4096 },
    logPatterns: [
      { level: 'info', message: '{pid}:M * DB saved on disk', weight: 2 },
      { level: 'info', message: '{pid}:M * Background saving started by pid {pid}', weight: 2 },
      { level: 'info', message: '{pid}:C * Fork CoW for RDB: current {count} MB, peak {count} MB', weight: 1 },
      { level: 'debug', message: '{pid}:M - Accepted {ip}:{port}', weight: 20 },
      { level: 'debug', message: '{pid}:M - Client closed connection id={count} addr={ip}:{port}', weight: 18 },
      { level: 'info', message: '{pid}:M * {count} changes in 60 seconds. Saving...', weight: 2 },
      { level: 'warn', message: '{pid}:M # Slow command: HGETALL session:{sessionId} took {ms} ms', weight: 0.3 },
    ],
  }),
  service({
    id: 'checkout',
    name: 'Checkout',
    description: 'Turns a cart into an order: pricing, tax, payment authorisation and order persistence.',
    tier: 1,
    ownerTeamId: 'commerce',
    tags: ['customer-facing', 'revenue-critical'],
    language: 'typescript',
    kind: 'service',
    version: '2.14.0',
    dependencies: ['payments-api', 'orders-db', 'inventory', 'cart', 'shipping', 'kafka'],
    pagerduty: 'P7XK2QD',
    datadog: 'checkout-api',
    baseline: { rps: 95, p50Ms: 120, p99Ms: 650, errorRate: 0.003, cpu: 0.38, memoryMb: 1024 },
    endpoints: [e('POST', '/api/checkout'), e('POST', '/api/checkout/{orderId}/confirm'), e('GET', '/api/checkout/{orderId}'), e('POST', '/api/checkout/quote')],
  }),
  service({
    id: 'cart',
    name: 'Cart',
    description: 'Shopping cart API: line items, promotions and saved-for-later.',
    tier: 2,
    ownerTeamId: 'commerce',
    tags: ['customer-facing'],
    language: 'kotlin',
    kind: 'service',
    version: '1.22.4',
    dependencies: ['sessions-cache', 'catalog'],
    pagerduty: 'PC4RT6V',
    datadog: 'cart-svc',
    baseline: { rps: 310, p50Ms: 18, p99Ms: 120, errorRate: 0.001, cpu: 0.3, memoryMb: 512 },
    endpoints: [e('GET', '/carts/{userId}'), e('POST', '/carts/{userId}/items'), e('DELETE', '/carts/{userId}/items/{sku}'), e('POST', '/carts/{userId}/promo')],
  }),
  service({
    id: 'payments-api',
    name: 'Payments API',
    description: 'Payment orchestration: authorise, capture and refund across providers, with idempotency.',
    tier: 1,
    ownerTeamId: 'payments',
    tags: ['revenue-critical', 'pci'],
    language: 'java',
    kind: 'service',
    version: '6.3.2',
    dependencies: ['stripe-bridge', 'fraud-check', 'orders-db'],
    pagerduty: 'PPY5M3A',
    datadog: 'payments-svc',
    baseline: { rps: 70, p50Ms: 180, p99Ms: 900, errorRate: 0.002, cpu: 0.3, memoryMb: 768 },
    endpoints: [e('POST', '/payments/authorize'), e('POST', '/payments/{paymentId}/capture'), e('POST', '/payments/{paymentId}/refund'), e('GET', '/payments/{paymentId}')],
  }),
  service({
    id: 'stripe-bridge',
    name: 'Stripe Bridge',
    description: 'Thin adapter around the third-party Stripe API (PaymentIntents, webhooks).',
    tier: 1,
    ownerTeamId: 'payments',
    tags: ['third-party', 'stripe', 'pci'],
    language: 'go',
    kind: 'third-party',
    version: '2.7.5',
    dependencies: [],
    pagerduty: 'PSB2J8X',
    datadog: 'stripe-bridge-svc',
    baseline: { rps: 65, p50Ms: 240, p99Ms: 1100, errorRate: 0.004, cpu: 0.15, memoryMb: 256 },
    endpoints: [e('POST', '/v1/payment_intents'), e('POST', '/v1/payment_intents/{paymentId}/confirm'), e('POST', '/v1/refunds'), e('POST', '/webhooks/stripe')],
  }),
  service({
    id: 'fraud-check',
    name: 'Fraud Check',
    description: 'Real-time fraud scoring of payment attempts (gradient-boosted model).',
    tier: 2,
    ownerTeamId: 'payments',
    tags: ['ml', 'risk'],
    language: 'python',
    kind: 'service',
    version: '0.19.3',
    dependencies: ['kafka'],
    pagerduty: 'PFC9L4E',
    datadog: 'fraud-check-svc',
    baseline: { rps: 70, p50Ms: 35, p99Ms: 210, errorRate: 0.0005, cpu: 0.45, memoryMb: 2048 },
    endpoints: [e('POST', '/score'), e('GET', '/model/info')],
  }),
  service({
    id: 'orders-db',
    name: 'Orders DB',
    description: 'Primary PostgreSQL 15 cluster (orders, order lines, stock levels) behind PgBouncer.',
    tier: 1,
    ownerTeamId: 'data-infra',
    tags: ['postgres', 'stateful', 'pgbouncer'],
    language: 'postgresql',
    kind: 'database',
    version: '15.42.0',
    dependencies: [],
    pagerduty: 'POD6B2Z',
    datadog: 'orders-postgres',
    baseline: { rps: 1800, p50Ms: 2, p99Ms: 35, errorRate: 0.0002, cpu: 0.46, memoryMb: 32768 },
  }),
  service({
    id: 'inventory',
    name: 'Inventory',
    description: 'Stock levels and reservations per warehouse; reserves items during checkout.',
    tier: 1,
    ownerTeamId: 'commerce',
    tags: ['stateful', 'warehouse'],
    language: 'java',
    kind: 'service',
    version: '3.4.9',
    dependencies: ['orders-db', 'kafka'],
    pagerduty: 'PIN3V7C',
    datadog: 'inventory-svc',
    baseline: { rps: 240, p50Ms: 25, p99Ms: 180, errorRate: 0.001, cpu: 0.32, memoryMb: 768 },
    endpoints: [e('GET', '/stock/{sku}'), e('POST', '/reservations'), e('DELETE', '/reservations/{orderId}'), e('POST', '/stock/bulk')],
  }),
  service({
    id: 'catalog',
    name: 'Catalog',
    description: 'Product information: titles, prices, variants and images.',
    tier: 2,
    ownerTeamId: 'commerce',
    tags: ['customer-facing', 'read-heavy'],
    language: 'kotlin',
    kind: 'service',
    version: '2.40.1',
    dependencies: ['media-storage'],
    pagerduty: 'PCT8F5N',
    datadog: 'catalog-api',
    baseline: { rps: 520, p50Ms: 20, p99Ms: 150, errorRate: 0.0008, cpu: 0.3, memoryMb: 1024 },
    endpoints: [e('GET', '/products/{sku}'), e('GET', '/products'), e('GET', '/categories/outdoor/products'), e('PUT', '/products/{sku}')],
  }),
  service({
    id: 'search',
    name: 'Search',
    description: 'Product search and autocomplete backed by OpenSearch.',
    tier: 2,
    ownerTeamId: 'growth',
    tags: ['customer-facing', 'opensearch'],
    language: 'java',
    kind: 'service',
    version: '1.15.0',
    dependencies: ['catalog'],
    pagerduty: 'PSR1D6W',
    datadog: 'search-api',
    baseline: { rps: 360, p50Ms: 40, p99Ms: 320, errorRate: 0.001, cpu: 0.55, memoryMb: 6144 },
    endpoints: [e('GET', '/search'), e('GET', '/autocomplete'), e('GET', '/search/facets')],
  }),
  service({
    id: 'recommendations',
    name: 'Recommendations',
    description: 'Personalised "you may also like" and basket-completion suggestions.',
    tier: 3,
    ownerTeamId: 'growth',
    tags: ['ml', 'personalisation'],
    language: 'python',
    kind: 'service',
    version: '0.33.7',
    dependencies: ['catalog', 'kafka'],
    pagerduty: 'PRC5H2Y',
    datadog: 'recommendations-svc',
    baseline: { rps: 280, p50Ms: 55, p99Ms: 400, errorRate: 0.002, cpu: 0.5, memoryMb: 3072 },
    endpoints: [e('GET', '/recommendations/{userId}'), e('GET', '/recommendations/similar/{sku}')],
  }),
  service({
    id: 'notifications',
    name: 'Notifications',
    description: 'Order confirmation e-mails, SMS and push notifications, fed from Kafka.',
    tier: 2,
    ownerTeamId: 'growth',
    tags: ['async', 'email', 'sms'],
    language: 'typescript',
    kind: 'service',
    version: '2.9.3',
    dependencies: ['kafka'],
    pagerduty: 'PNT4K9S',
    datadog: 'notifications-svc',
    baseline: { rps: 45, p50Ms: 60, p99Ms: 500, errorRate: 0.003, cpu: 0.12, memoryMb: 384 },
    endpoints: [e('POST', '/send/email'), e('POST', '/send/sms'), e('POST', '/send/push')],
  }),
  service({
    id: 'shipping',
    name: 'Shipping',
    description: 'Carrier rates, label creation and parcel tracking (DHL, UPS, Royal Mail).',
    tier: 2,
    ownerTeamId: 'commerce',
    tags: ['third-party-carriers', 'fulfilment'],
    language: 'ruby',
    kind: 'service',
    version: '1.48.0',
    dependencies: ['orders-db', 'kafka', 'notifications'],
    pagerduty: 'PSH6G3U',
    datadog: 'shipping-svc',
    baseline: { rps: 40, p50Ms: 90, p99Ms: 700, errorRate: 0.004, cpu: 0.2, memoryMb: 512 },
    endpoints: [e('POST', '/rates'), e('POST', '/labels'), e('GET', '/tracking/{trackingId}')],
  }),
  service({
    id: 'media-storage',
    name: 'Media Storage',
    description: 'Product image and video store with on-the-fly resizing; disk-backed local cache.',
    tier: 2,
    ownerTeamId: 'data-infra',
    tags: ['storage', 'disk-heavy', 'images'],
    language: 'go',
    kind: 'service',
    version: '1.11.2',
    dependencies: [],
    pagerduty: 'PMS8R1T',
    datadog: 'media-storage-svc',
    baseline: { rps: 610, p50Ms: 15, p99Ms: 220, errorRate: 0.0005, cpu: 0.22, memoryMb: 1536 },
    endpoints: [e('GET', '/img/{objectKey}'), e('PUT', '/objects/{objectKey}'), e('GET', '/img/{objectKey}?w=640'), e('DELETE', '/objects/{objectKey}')],
  }),
  service({
    id: 'kafka',
    name: 'Kafka',
    description: 'Event backbone (3 brokers): order events, stock changes, notifications.',
    tier: 1,
    ownerTeamId: 'data-infra',
    tags: ['streaming', 'stateful'],
    language: 'java',
    kind: 'queue',
    version: '3.7.2',
    dependencies: [],
    pagerduty: 'PKF2W7P',
    datadog: 'kafka-cluster',
    baseline: { rps: 5200, p50Ms: 3, p99Ms: 28, errorRate: 0.00005, cpu: 0.4, memoryMb: 8192 },
  }),
];

// ---------------------------------------------------------------------------------------------
// Normal log traffic

/**
 * Placeholders used in log templates, with what the generator should put there.
 * {method} and {path} come from the service's endpoints; {upstream} from its dependencies.
 */
export const LOG_PLACEHOLDERS: Readonly<Record<string, string>> = {
  method: 'HTTP method of a service endpoint',
  path: 'path of a service endpoint, its own {placeholders} filled in',
  status: 'HTTP status matching the line level (2xx/3xx for info, 4xx for warn)',
  ms: 'duration in milliseconds drawn around the current latency',
  bytes: 'response or object size in bytes',
  ip: 'client IPv4 address (10.x for internal callers)',
  port: 'TCP port',
  traceId: '32-hex trace id',
  userId: 'customer id, e.g. cus_8f2k1',
  orderId: 'order id, e.g. ord_20261126_4821',
  paymentId: 'payment id, e.g. pi_3Pq...',
  sku: 'product SKU, e.g. SKU-48213',
  qty: 'small integer quantity',
  amount: 'money amount, e.g. 84.90',
  currency: 'ISO currency code, mostly EUR/GBP/USD',
  upstream: 'id of one of the service\'s dependencies',
  attempt: 'retry attempt number, 1..3',
  count: 'a count',
  conns: 'active connections',
  waiting: 'clients waiting for a connection',
  pid: 'process id',
  table: 'database table name',
  rows: 'row count',
  topic: 'Kafka topic name',
  partition: 'partition number',
  offset: 'Kafka offset',
  lag: 'consumer lag in messages',
  group: 'Kafka consumer group',
  objectKey: 'media object key, e.g. products/48213/main.jpg',
  sessionId: 'session id',
  trackingId: 'carrier tracking number',
  percent: 'a percentage',
  version: 'the service version',
};

export const NORMAL_LOG_PATTERNS: Readonly<Record<ServiceKind, LogPattern[]>> = {
  service: [
    { level: 'info', message: '{ip} "{method} {path} HTTP/1.1" {status} {bytes} {ms}ms trace_id={traceId}', weight: 80 },
    { level: 'debug', message: 'cache hit key={path} trace_id={traceId}', weight: 10 },
    { level: 'info', message: 'call to {upstream} ok duration_ms={ms} trace_id={traceId}', weight: 12 },
    { level: 'info', message: 'health check passed version={version}', weight: 1 },
    { level: 'warn', message: 'slow request {method} {path} took {ms}ms trace_id={traceId}', weight: 1.5 },
    { level: 'warn', message: 'retrying call to {upstream} attempt={attempt} trace_id={traceId}', weight: 0.6 },
    { level: 'warn', message: '{ip} "{method} {path} HTTP/1.1" {status} {bytes} {ms}ms trace_id={traceId}', weight: 1.2 },
    { level: 'error', message: 'call to {upstream} failed: context deadline exceeded after {ms}ms trace_id={traceId}', weight: 0.15 },
  ],
  frontend: [
    { level: 'info', message: '{ip} "{method} {path} HTTP/1.1" {status} {bytes} {ms}ms trace_id={traceId}', weight: 80 },
    { level: 'info', message: 'rendered {path} ssr_ms={ms} cache=MISS trace_id={traceId}', weight: 10 },
    { level: 'debug', message: 'served {path} from ISR cache age={count}s', weight: 15 },
    { level: 'warn', message: 'slow SSR render {path} took {ms}ms trace_id={traceId}', weight: 1 },
    { level: 'warn', message: 'client error reported: ResizeObserver loop limit exceeded path={path}', weight: 0.5 },
    { level: 'error', message: 'fetch to {upstream} failed during render of {path}: socket hang up trace_id={traceId}', weight: 0.1 },
  ],
  database: [
    { level: 'info', message: 'LOG:  connection authorized: user=app database=orders application_name={upstream}', weight: 10 },
    { level: 'info', message: 'LOG:  duration: {ms} ms  statement: SELECT * FROM {table} WHERE id = $1', weight: 25 },
    { level: 'info', message: 'LOG:  duration: {ms} ms  statement: UPDATE {table} SET updated_at = now() WHERE id = $1', weight: 12 },
    { level: 'info', message: 'LOG:  checkpoint complete: wrote {count} buffers ({percent}%); write={ms} ms', weight: 1 },
    { level: 'info', message: 'LOG:  automatic vacuum of table "orders.public.{table}": index scans: 1, tuples removed {rows}', weight: 1 },
    { level: 'debug', message: 'pgbouncer: stats: {count} xacts/s, {count} queries/s, in {bytes} B/s, avg {ms} ms', weight: 5 },
    { level: 'warn', message: 'LOG:  process {pid} still waiting for ShareLock on transaction after {ms} ms', weight: 0.3 },
    { level: 'error', message: 'ERROR:  duplicate key value violates unique constraint "{table}_pkey"', weight: 0.1 },
  ],
  queue: [
    { level: 'info', message: '[ReplicaFetcher replicaId=1, leaderId=2] Fetched {count} records for {topic}-{partition} at offset {offset}', weight: 20 },
    { level: 'info', message: '[GroupCoordinator 1]: Member consumer-{group}-{count} in group {group} has heartbeat', weight: 10 },
    { level: 'info', message: '[Log partition={topic}-{partition}, dir=/var/lib/kafka] Rolled new log segment at offset {offset} in {ms} ms', weight: 3 },
    { level: 'info', message: '[ProducerStateManager partition={topic}-{partition}] Wrote producer snapshot at offset {offset}', weight: 2 },
    { level: 'debug', message: 'consumer group {group} lag on {topic}: {lag}', weight: 8 },
    { level: 'warn', message: '[GroupCoordinator 1]: Preparing to rebalance group {group} (reason: member left)', weight: 0.3 },
    { level: 'error', message: '[ReplicaFetcher replicaId=3] Error for partition {topic}-{partition}: NOT_LEADER_OR_FOLLOWER', weight: 0.05 },
  ],
  'third-party': [
    { level: 'info', message: '{ip} "{method} {path} HTTP/1.1" {status} {bytes} {ms}ms trace_id={traceId}', weight: 60 },
    { level: 'info', message: 'stripe request ok endpoint={path} stripe_ms={ms} request_id=req_{sessionId} trace_id={traceId}', weight: 40 },
    { level: 'info', message: 'webhook received type=payment_intent.succeeded id={paymentId}', weight: 12 },
    { level: 'warn', message: 'stripe idempotency replay for {paymentId} attempt={attempt}', weight: 0.8 },
    { level: 'warn', message: 'stripe returned 402 card_declined for {paymentId}', weight: 2 },
    { level: 'error', message: 'stripe request failed endpoint={path}: 500 api_error trace_id={traceId}', weight: 0.1 },
  ],
};

export function normalLogPatternsFor(s: DemoService): LogPattern[] {
  return s.logPatterns ?? NORMAL_LOG_PATTERNS[s.kind];
}

// ---------------------------------------------------------------------------------------------
// Runbooks

export const runbooks: readonly DemoRunbook[] = [
  {
    id: 'rb-rollback-deploy',
    title: 'Roll back a bad deploy',
    summary: 'When errors or latency jump right after a release, roll back first and debug later.',
    url: `${WIKI}/runbooks/rollback-deploy`,
    serviceIds: ['checkout', 'cart', 'payments-api', 'inventory', 'catalog', 'api-gateway'],
    tags: ['deploy', 'rollback', 'mitigation'],
    steps: [
      'Confirm the regression lines up with the deploy time on the service dashboard.',
      'Announce the rollback in the incident channel.',
      'Run `deployctl rollback <service> --to <previous-version> --env production`.',
      'Watch the error rate and p99 for 10 minutes; confirm they return to baseline.',
      'Block the release in the pipeline and open a ticket for the fix.',
    ],
  },
  {
    id: 'rb-db-connection-saturation',
    title: 'Postgres connection pool saturation',
    summary: 'PgBouncer pool exhausted on orders-db: find the long transactions, shed load, then raise limits if needed.',
    url: `${WIKI}/runbooks/db-connection-saturation`,
    serviceIds: ['orders-db', 'inventory', 'checkout'],
    tags: ['postgres', 'pgbouncer', 'database'],
    steps: [
      'Check `SHOW POOLS;` on PgBouncer: cl_waiting and maxwait.',
      'Find long transactions: `SELECT pid, now() - xact_start, query FROM pg_stat_activity ORDER BY 2 DESC`.',
      'Pause non-critical batch jobs (inventory reconciliation, analytics exports).',
      'Terminate idle-in-transaction sessions older than 5 minutes with pg_terminate_backend.',
      'If still saturated, raise default_pool_size temporarily and page data-infra secondary.',
    ],
  },
  {
    id: 'rb-third-party-degradation',
    title: 'Third-party provider degradation (Stripe)',
    summary: 'Stripe is slow or failing: confirm on their status page, protect checkout with timeouts and retries.',
    url: `${WIKI}/runbooks/third-party-degradation`,
    serviceIds: ['stripe-bridge', 'payments-api'],
    tags: ['stripe', 'third-party', 'payments'],
    steps: [
      'Check https://status.stripe.com and the Stripe dashboard for API latency.',
      'Compare stripe_ms in stripe-bridge logs with our own handler time.',
      'Raise the stripe-bridge client timeout via feature flag `stripe.timeout_ms` (max 10000).',
      'Post a customer-facing status update if checkout conversion drops more than 5%.',
      'Open a Stripe support case with request ids of slow calls.',
    ],
  },
  {
    id: 'rb-disk-capacity',
    title: 'Disk capacity on media-storage nodes',
    summary: 'Local image cache filling the data volume: evict, then grow the volume if the trend continues.',
    url: `${WIKI}/runbooks/disk-capacity`,
    serviceIds: ['media-storage'],
    tags: ['disk', 'capacity', 'storage'],
    steps: [
      'Check `df -h /data` and the node_filesystem_avail_bytes trend for each node.',
      'Run the cache eviction job manually: `mediactl cache evict --older-than 72h`.',
      'Confirm the eviction cron is enabled in the media-storage config.',
      'If usage stays above 85%, expand the EBS volume (gp3) by 200 GiB and grow the filesystem.',
    ],
  },
  {
    id: 'rb-auth-signing-keys',
    title: 'JWT signing key rotation problems',
    summary: 'Logins or token validation failing around a key rotation: check JWKS freshness and caches.',
    url: `${WIKI}/runbooks/auth-signing-keys`,
    serviceIds: ['auth', 'api-gateway'],
    tags: ['auth', 'jwt', 'security'],
    steps: [
      'Fetch /.well-known/jwks.json and confirm the active kid is present.',
      'Compare the kid in failing tokens (gateway logs) with the JWKS.',
      'Flush the gateway JWKS cache: `gatewayctl jwks refresh`.',
      'If the new key is broken, re-activate the previous key in the secrets manager.',
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Scenarios

const BAD_DEPLOY_SHA = hexFor([DEMO_SEED, 'scn-bad-deploy', 'commit']);

/** The world's own scenarios, before any variant (OPSORCH_DEMO_WORLD) is applied. */
export const BUILT_IN_SCENARIOS: readonly DemoScenario[] = [
  {
    id: 'scn-bad-deploy',
    kind: 'bad-deploy',
    title: 'Checkout 5xx spike after v2.14.0',
    summary:
      'Checkout v2.14.0 moved order-line writes to a new batched OrderWriter. Carts containing a gift card ' +
      'have no lineItems array, so about 18% of checkout requests now fail with HTTP 500. ' +
      'A rollback to v2.13.4 is being prepared.',
    rootServiceId: 'checkout',
    affectedServiceIds: ['api-gateway', 'web-frontend'],
    severity: 'SEV2',
    status: 'acknowledged',
    startedMinutesAgo: 45,
    triggeredMinutesAgo: 44,
    acknowledgedMinutesAgo: 41,
    cast: {
      author: 'jonas-weber',
      onCall: { onCall: 'commerce', level: 'primary', minutesAgo: 44 },
      commander: 'alice-nguyen',
    },
    incident: { nativeId: 'Q3VW8TR', number: 1042, assignee: 'onCall', commander: 'commander' },
    timeline: [
      { minutesAgo: 47, kind: 'deploy', actor: 'author', message: 'Deployed checkout v2.14.0 to production (PR #1287).' },
      { minutesAgo: 45, kind: 'alert', message: 'HighErrorRate firing for checkout: 5xx ratio 18.4% (threshold 2%).' },
      { minutesAgo: 44, kind: 'triggered', message: 'Incident #1042 triggered by Alertmanager: HighErrorRate checkout; paged primary on-call {onCall}.' },
      { minutesAgo: 41, kind: 'acknowledged', actor: 'onCall', message: 'Acknowledged by {onCall}.' },
      { minutesAgo: 36, kind: 'note', actor: 'onCall', message: "Errors are TypeError: Cannot read properties of undefined (reading 'lineItems') in OrderWriter.flush; first seen 2 min after the v2.14.0 rollout." },
      { minutesAgo: 33, kind: 'escalated', actor: 'onCall', message: 'Escalated to {commander} (Commerce manager) as incident commander; severity raised to SEV2.' },
      { minutesAgo: 30, kind: 'status_update', actor: 'commander', message: 'Investigating: ~18% of checkout attempts fail with 500, mostly carts with gift cards. Suspect v2.14.0; rollback in preparation.' },
      { minutesAgo: 24, kind: 'note', actor: 'author', message: 'Confirmed: gift-card-only carts have lineItems undefined. Rollback to v2.13.4 queued in the pipeline; fix in PR #1291.' },
    ],
    alerts: [
      {
        name: 'HighErrorRate',
        serviceId: 'checkout',
        severity: 'critical',
        summary: 'checkout 5xx ratio above 2% for 2 minutes',
        description: 'sum(rate(http_requests_total{service="checkout",code=~"5.."}[2m])) / sum(rate(http_requests_total{service="checkout"}[2m])) = 0.184',
        labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical', team: 'commerce', env: 'production' },
        firingMinutesAgo: 45,
      },
      {
        name: 'CheckoutLatencyP99High',
        serviceId: 'checkout',
        severity: 'warning',
        summary: 'checkout p99 latency above 1s',
        description: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="checkout"}[5m]))) = 1.08s',
        labels: { alertname: 'CheckoutLatencyP99High', service: 'checkout', severity: 'warning', team: 'commerce', env: 'production' },
        firingMinutesAgo: 42,
      },
      {
        name: 'UpstreamErrors',
        serviceId: 'api-gateway',
        severity: 'warning',
        summary: 'api-gateway seeing 5xx from upstream checkout',
        description: 'envoy_cluster_upstream_rq_5xx{cluster="checkout"} rate above 1/s for 5 minutes',
        labels: { alertname: 'UpstreamErrors', service: 'api-gateway', upstream: 'checkout', severity: 'warning', team: 'platform', env: 'production' },
        firingMinutesAgo: 40,
      },
    ],
    signals: [
      {
        serviceId: 'checkout',
        startedMinutesAgo: 45,
        effects: { errorRate: 0.18, latencyFactor: 1.6 },
        logPatterns: [
          { level: 'error', message: "{ip} \"POST /api/checkout HTTP/1.1\" 500 {bytes} {ms}ms trace_id={traceId}", weight: 18 },
          { level: 'error', message: "unhandled error order={orderId} trace_id={traceId}: TypeError: Cannot read properties of undefined (reading 'lineItems') at OrderWriter.flush (src/orders/order-writer.ts:88:31)", weight: 18 },
          { level: 'warn', message: 'order write batch aborted order={orderId} items={qty} trace_id={traceId}', weight: 6 },
          { level: 'info', message: 'release v2.14.0 feature flag batched_order_writer=on', weight: 0.5 },
        ],
      },
      {
        serviceId: 'api-gateway',
        startedMinutesAgo: 45,
        effects: { errorRate: 0.015 },
        logPatterns: [
          { level: 'error', message: '{ip} "POST /v1/checkout HTTP/1.1" 502 {bytes} {ms}ms upstream=checkout trace_id={traceId}', weight: 4 },
        ],
      },
      {
        serviceId: 'web-frontend',
        startedMinutesAgo: 45,
        effects: { errorRate: 0.008 },
        logPatterns: [
          { level: 'warn', message: 'checkout submit failed: api returned 502, showing retry banner trace_id={traceId}', weight: 3 },
        ],
      },
    ],
    deploy: {
      serviceId: 'checkout',
      version: '2.14.0',
      previousVersion: '2.13.4',
      minutesAgo: 47,
      authorId: 'jonas-weber',
      commitSha: BAD_DEPLOY_SHA,
      commitMessage: 'feat(checkout): batch order-line writes through OrderWriter (#1287)',
      prNumber: 1287,
    },
    ticket: {
      key: 'OPS-311',
      title: 'Checkout 5xx after v2.14.0: roll back and guard OrderWriter against gift-card carts',
      description:
        'v2.14.0 crashes in OrderWriter.flush when a cart has no lineItems (gift-card-only carts). ' +
        'Roll back to v2.13.4, add a null guard plus a regression test, and add a gift-card cart to the canary suite.',
      assignee: 'author',
      reporter: 'onCall',
      status: 'In Progress',
      priority: 'High',
      createdMinutesAgo: 35,
      labels: ['incident', 'checkout', 'regression'],
    },
    runbookIds: ['rb-rollback-deploy'],
    slackChannel: '#inc-1042-checkout-5xx',
    links: [
      { title: 'Checkout dashboard', url: `${GRAFANA}/d/checkout/checkout-overview` },
      { title: 'PR #1287', url: `https://github.com/${ORG}/checkout/pull/1287` },
      { title: 'Fix PR #1291', url: `https://github.com/${ORG}/checkout/pull/1291` },
    ],
  },
  {
    id: 'scn-db-saturation',
    kind: 'db-saturation',
    title: 'orders-db connection pool saturated',
    summary:
      'The inventory reconciliation job opened long-running transactions on orders-db and the PgBouncer pool ' +
      'ran out of server connections. Inventory reservations time out waiting for a connection, which slows ' +
      'checkout and shows up as gateway latency. Nobody has acknowledged the page yet.',
    rootServiceId: 'orders-db',
    affectedServiceIds: ['inventory', 'checkout', 'api-gateway'],
    severity: 'SEV1',
    status: 'triggered',
    startedMinutesAgo: 25,
    triggeredMinutesAgo: 23,
    cast: {
      paged: { onCall: 'data-infra', level: 'primary', minutesAgo: 23 },
      // PagerDuty reassigns an incident to the level it escalates to.
      escalatedTo: { onCall: 'data-infra', level: 'secondary', minutesAgo: 18 },
      inventoryOnCall: { onCall: 'commerce', level: 'primary', minutesAgo: 15 },
      manager: 'daniel-okafor',
    },
    incident: { nativeId: 'Q8MZ4KD', number: 1043, assignee: 'escalatedTo' },
    timeline: [
      { minutesAgo: 25, kind: 'alert', message: 'PgBouncerPoolSaturated firing for orders-db: 200/200 server connections in use, 146 clients waiting.' },
      { minutesAgo: 23, kind: 'triggered', message: 'Incident #1043 triggered by Alertmanager: PgBouncerPoolSaturated orders-db; paged primary on-call {paged}.' },
      { minutesAgo: 21, kind: 'alert', message: 'HighLatency firing for inventory: p99 4.9s (threshold 1s).' },
      { minutesAgo: 18, kind: 'escalated', message: 'Not acknowledged within 5 minutes; escalated to secondary on-call {escalatedTo}.' },
      { minutesAgo: 15, kind: 'note', actor: 'inventoryOnCall', message: 'Inventory reservations timing out acquiring DB connections; looks like orders-db, not our code. Pinging data-infra.' },
      { minutesAgo: 12, kind: 'alert', message: 'HighLatency firing for api-gateway: p99 2.1s on /v1/checkout.' },
      { minutesAgo: 9, kind: 'escalated', message: 'Escalation policy level 3: paged {manager} (Data Infrastructure manager).' },
    ],
    alerts: [
      {
        name: 'PgBouncerPoolSaturated',
        serviceId: 'orders-db',
        severity: 'critical',
        summary: 'orders-db PgBouncer pool exhausted',
        description: 'pgbouncer_pools_server_active_connections{database="orders"} = 200 of 200 and pgbouncer_pools_client_waiting_connections = 146',
        labels: { alertname: 'PgBouncerPoolSaturated', service: 'orders-db', database: 'orders', severity: 'critical', team: 'data-infra', env: 'production' },
        firingMinutesAgo: 25,
      },
      {
        name: 'PostgresLongRunningTransactions',
        serviceId: 'orders-db',
        severity: 'warning',
        summary: '38 transactions open for more than 5 minutes on orders-db',
        description: 'count(pg_stat_activity_max_tx_duration{datname="orders"} > 300) = 38',
        labels: { alertname: 'PostgresLongRunningTransactions', service: 'orders-db', database: 'orders', severity: 'warning', team: 'data-infra', env: 'production' },
        firingMinutesAgo: 24,
      },
      {
        name: 'HighLatency',
        serviceId: 'inventory',
        severity: 'critical',
        summary: 'inventory p99 latency above 1s',
        description: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="inventory"}[5m]))) = 4.9s',
        labels: { alertname: 'HighLatency', service: 'inventory', severity: 'critical', team: 'commerce', env: 'production' },
        firingMinutesAgo: 21,
      },
      {
        name: 'HighLatency',
        serviceId: 'api-gateway',
        severity: 'warning',
        summary: 'api-gateway p99 latency above 1.5s',
        description: 'histogram_quantile(0.99, sum by (le) (rate(envoy_cluster_upstream_rq_time_bucket[5m]))) = 2.1s',
        labels: { alertname: 'HighLatency', service: 'api-gateway', severity: 'warning', team: 'platform', env: 'production' },
        firingMinutesAgo: 12,
      },
    ],
    signals: [
      {
        serviceId: 'orders-db',
        startedMinutesAgo: 25,
        effects: { saturation: 0.99, latencyFactor: 6, errorRate: 0.02 },
        logPatterns: [
          { level: 'fatal', message: 'FATAL:  sorry, too many clients already', weight: 6 },
          { level: 'warn', message: 'pgbouncer: pool orders/app: cl_waiting={waiting} sv_active={conns} maxwait={ms}ms', weight: 10 },
          { level: 'warn', message: 'LOG:  process {pid} still waiting for RowExclusiveLock on relation stock_levels after {ms} ms', weight: 8 },
          { level: 'info', message: 'LOG:  duration: {ms} ms  statement: SELECT sku, qty FROM stock_levels WHERE warehouse_id = $1 FOR UPDATE', weight: 12 },
        ],
      },
      {
        serviceId: 'inventory',
        startedMinutesAgo: 24,
        effects: { latencyFactor: 5, errorRate: 0.09, saturation: 0.95 },
        logPatterns: [
          { level: 'error', message: 'HikariPool-1 - Connection is not available, request timed out after 5000ms (active={conns}, idle=0, waiting={waiting}) trace_id={traceId}', weight: 12 },
          { level: 'error', message: '{ip} "POST /reservations HTTP/1.1" 503 {bytes} {ms}ms trace_id={traceId}', weight: 8 },
          { level: 'warn', message: 'reconciliation batch {count} still running, {rows} rows locked', weight: 2 },
        ],
      },
      {
        serviceId: 'checkout',
        startedMinutesAgo: 22,
        effects: { latencyFactor: 3.2, errorRate: 0.04 },
        logPatterns: [
          { level: 'error', message: 'inventory reservation failed order={orderId}: 503 Service Unavailable after {ms}ms trace_id={traceId}', weight: 6 },
          { level: 'warn', message: 'retrying call to inventory attempt={attempt} trace_id={traceId}', weight: 8 },
        ],
      },
      {
        serviceId: 'api-gateway',
        startedMinutesAgo: 20,
        effects: { latencyFactor: 2.5, errorRate: 0.02 },
        logPatterns: [
          { level: 'warn', message: 'upstream checkout slow: {ms}ms for POST /v1/checkout trace_id={traceId}', weight: 6 },
          { level: 'error', message: '{ip} "POST /v1/checkout HTTP/1.1" 504 {bytes} {ms}ms upstream=checkout trace_id={traceId}', weight: 2 },
        ],
      },
    ],
    ticket: {
      key: 'OPS-318',
      title: 'orders-db pool exhaustion caused by inventory reconciliation transactions',
      description:
        'The hourly inventory reconciliation holds FOR UPDATE locks across a whole warehouse in a single transaction. ' +
        'Split it into per-SKU batches, give batch jobs their own PgBouncer pool and alert on cl_waiting > 20.',
      assignee: 'escalatedTo',
      reporter: 'inventoryOnCall',
      status: 'To Do',
      priority: 'Highest',
      createdMinutesAgo: 14,
      labels: ['incident', 'postgres', 'capacity'],
    },
    runbookIds: ['rb-db-connection-saturation'],
    slackChannel: '#inc-1043-orders-db-pool',
    links: [
      { title: 'orders-db dashboard', url: `${GRAFANA}/d/orders-db/orders-db-overview` },
      { title: 'PgBouncer dashboard', url: `${GRAFANA}/d/pgbouncer/pgbouncer-pools` },
    ],
  },
  {
    id: 'scn-third-party-degraded',
    kind: 'third-party-degraded',
    title: 'Stripe API latency degrading payments',
    summary:
      'Stripe has elevated latency on the PaymentIntents API since about three hours ago. stripe-bridge calls ' +
      'take 3-4x longer and a few time out, so payments-api authorisations are slow but mostly succeed on retry. ' +
      'Stripe acknowledged the issue on their status page.',
    rootServiceId: 'stripe-bridge',
    affectedServiceIds: ['payments-api'],
    severity: 'SEV3',
    status: 'acknowledged',
    startedMinutesAgo: 180,
    triggeredMinutesAgo: 176,
    acknowledgedMinutesAgo: 171,
    cast: {
      onCall: { onCall: 'payments', level: 'primary', minutesAgo: 176 },
      commander: 'olivia-brooks',
    },
    incident: { nativeId: 'Q5TJ2NB', number: 1040, assignee: 'onCall', commander: 'commander' },
    timeline: [
      { minutesAgo: 178, kind: 'alert', message: 'StripeAPILatencyHigh firing for stripe-bridge: p99 3.9s (threshold 1.5s).' },
      { minutesAgo: 176, kind: 'triggered', message: 'Incident #1040 triggered by Alertmanager: StripeAPILatencyHigh stripe-bridge; paged primary on-call {onCall}.' },
      { minutesAgo: 171, kind: 'acknowledged', actor: 'onCall', message: 'Acknowledged by {onCall}.' },
      { minutesAgo: 164, kind: 'note', actor: 'onCall', message: 'Stripe status page: "Elevated API latency" for PaymentIntents. Our handler time is flat; stripe_ms accounts for the whole increase.' },
      { minutesAgo: 150, kind: 'status_update', actor: 'commander', message: 'Impact limited: payment p99 at 2.6s vs 0.9s normally; 1.5% of authorisations need a retry; no checkout failures attributed.' },
      { minutesAgo: 118, kind: 'note', actor: 'onCall', message: 'Raised stripe.timeout_ms from 5000 to 8000 via feature flag (no deploy). Timeouts dropped to ~0.3%.' },
      { minutesAgo: 62, kind: 'status_update', actor: 'commander', message: 'Stripe still degraded per their status page; we keep monitoring. Support case 07734219 open with Stripe.' },
    ],
    alerts: [
      {
        name: 'StripeAPILatencyHigh',
        serviceId: 'stripe-bridge',
        severity: 'warning',
        summary: 'Stripe API p99 latency above 1.5s',
        description: 'histogram_quantile(0.99, sum by (le) (rate(stripe_request_duration_seconds_bucket{endpoint="/v1/payment_intents"}[10m]))) = 3.9s',
        labels: { alertname: 'StripeAPILatencyHigh', service: 'stripe-bridge', provider: 'stripe', severity: 'warning', team: 'payments', env: 'production' },
        firingMinutesAgo: 178,
      },
      {
        name: 'PaymentAuthorizationSlow',
        serviceId: 'payments-api',
        severity: 'warning',
        summary: 'payments-api authorize p99 above 2s',
        description: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="payments-api",route="/payments/authorize"}[10m]))) = 2.6s',
        labels: { alertname: 'PaymentAuthorizationSlow', service: 'payments-api', severity: 'warning', team: 'payments', env: 'production' },
        firingMinutesAgo: 172,
      },
    ],
    signals: [
      {
        serviceId: 'stripe-bridge',
        startedMinutesAgo: 180,
        effects: { latencyFactor: 3.5, errorRate: 0.015 },
        logPatterns: [
          { level: 'warn', message: 'stripe request slow endpoint=/v1/payment_intents stripe_ms={ms} request_id=req_{sessionId} trace_id={traceId}', weight: 20 },
          { level: 'error', message: 'stripe request timed out endpoint=/v1/payment_intents after {ms}ms attempt={attempt} trace_id={traceId}', weight: 2 },
          { level: 'info', message: 'retry succeeded for {paymentId} attempt={attempt} trace_id={traceId}', weight: 3 },
        ],
      },
      {
        serviceId: 'payments-api',
        startedMinutesAgo: 179,
        effects: { latencyFactor: 2.2, errorRate: 0.005 },
        logPatterns: [
          { level: 'warn', message: 'authorize {paymentId} {amount} {currency} slow: provider=stripe took {ms}ms trace_id={traceId}', weight: 10 },
          { level: 'warn', message: 'retrying call to stripe-bridge attempt={attempt} trace_id={traceId}', weight: 3 },
        ],
      },
    ],
    ticket: {
      key: 'OPS-305',
      title: 'Track Stripe PaymentIntents latency degradation',
      description:
        'Stripe-side latency on PaymentIntents. Follow their status page, keep stripe.timeout_ms at 8000 until resolved, ' +
        'then revert. Follow-up: circuit breaker with a fallback provider for authorisations.',
      assignee: 'onCall',
      reporter: 'onCall',
      status: 'In Progress',
      priority: 'Medium',
      createdMinutesAgo: 166,
      labels: ['incident', 'stripe', 'third-party'],
    },
    runbookIds: ['rb-third-party-degradation'],
    slackChannel: '#inc-1040-stripe-latency',
    links: [
      { title: 'Stripe status', url: 'https://status.stripe.com/' },
      { title: 'Stripe bridge dashboard', url: `${GRAFANA}/d/stripe-bridge/stripe-bridge-overview` },
    ],
  },
  {
    id: 'scn-disk-capacity',
    kind: 'disk-capacity',
    title: 'media-storage data volume at 91% and growing',
    summary:
      'The local image cache on media-storage nodes has grown since the cache eviction cron was disabled during ' +
      'last week\'s migration. /data is at 91% and rising about 1% per hour; at this rate it fills in roughly 9 hours.',
    rootServiceId: 'media-storage',
    affectedServiceIds: [],
    severity: 'SEV4',
    status: 'triggered',
    startedMinutesAgo: 370,
    triggeredMinutesAgo: 360,
    cast: {
      onCall: { onCall: 'data-infra', level: 'primary', minutesAgo: 360 },
      secondary: { onCall: 'data-infra', level: 'secondary', minutesAgo: 240 },
    },
    incident: { nativeId: 'Q2HD7YC', number: 1039, assignee: 'onCall' },
    timeline: [
      { minutesAgo: 365, kind: 'alert', message: 'DiskSpaceFillingUp firing for media-storage: /data 85% used, predicted full within 24h.' },
      { minutesAgo: 360, kind: 'triggered', message: 'Incident #1039 triggered (low urgency) by Alertmanager: DiskSpaceFillingUp media-storage; assigned to primary on-call {onCall}.' },
      { minutesAgo: 300, kind: 'note', message: 'Low-urgency incident: notifications deferred until business hours for {onCall}.' },
      { minutesAgo: 240, kind: 'note', actor: 'secondary', message: 'media-cache-evict cron has been disabled since the bucket migration on Monday; cache dir is 1.7 TiB.' },
      { minutesAgo: 90, kind: 'alert', message: 'DiskUsageHigh firing for media-storage: /data 90% used on media-storage-2.' },
    ],
    alerts: [
      {
        name: 'DiskSpaceFillingUp',
        serviceId: 'media-storage',
        severity: 'warning',
        summary: '/data on media-storage predicted to fill within 24 hours',
        description: 'predict_linear(node_filesystem_avail_bytes{service="media-storage",mountpoint="/data"}[6h], 24*3600) < 0',
        labels: { alertname: 'DiskSpaceFillingUp', service: 'media-storage', mountpoint: '/data', instance: 'media-storage-2', severity: 'warning', team: 'data-infra', env: 'production' },
        firingMinutesAgo: 365,
      },
      {
        name: 'DiskUsageHigh',
        serviceId: 'media-storage',
        severity: 'warning',
        summary: '/data on media-storage-2 above 90%',
        description: '1 - node_filesystem_avail_bytes{mountpoint="/data"} / node_filesystem_size_bytes{mountpoint="/data"} = 0.91',
        labels: { alertname: 'DiskUsageHigh', service: 'media-storage', mountpoint: '/data', instance: 'media-storage-2', severity: 'warning', team: 'data-infra', env: 'production' },
        firingMinutesAgo: 90,
      },
    ],
    signals: [
      {
        serviceId: 'media-storage',
        startedMinutesAgo: 370,
        // The value reached now; generators ramp from ~0.85 at startedMinutesAgo.
        effects: { diskUsedFraction: 0.91, latencyFactor: 1.2 },
        logPatterns: [
          { level: 'warn', message: 'cache eviction skipped: job media-cache-evict disabled (config cache.evict.enabled=false)', weight: 1 },
          { level: 'info', message: 'cached resized variant {objectKey} size={bytes} cache_dir=/data/cache', weight: 20 },
          { level: 'warn', message: 'disk usage on /data at {percent}%, free {bytes} bytes', weight: 2 },
        ],
      },
    ],
    ticket: {
      key: 'OPS-298',
      title: 'Re-enable media cache eviction and expand /data on media-storage',
      description:
        'Eviction cron was disabled during the bucket migration and never re-enabled. Re-enable it, run a manual ' +
        'eviction of entries older than 72h, and add a capacity alert at 80% with a 3-day prediction window.',
      assignee: 'onCall',
      reporter: 'secondary',
      status: 'To Do',
      priority: 'Low',
      createdMinutesAgo: 235,
      labels: ['capacity', 'disk', 'media-storage'],
    },
    runbookIds: ['rb-disk-capacity'],
    slackChannel: '#inc-1039-media-disk',
    links: [{ title: 'Node disk dashboard', url: `${GRAFANA}/d/node-disk/node-disk?var-service=media-storage` }],
  },
  {
    id: 'scn-resolved-auth-keys',
    kind: 'resolved-history',
    title: 'Login failures after auth signing-key rotation',
    summary:
      'Yesterday\'s scheduled JWT signing-key rotation published the new key before the gateway refreshed its JWKS ' +
      'cache, so for 38 minutes about 12% of authenticated requests were rejected with 401. Flushing the cache resolved it.',
    rootServiceId: 'auth',
    affectedServiceIds: ['api-gateway', 'web-frontend'],
    severity: 'SEV3',
    status: 'resolved',
    startedMinutesAgo: 1510,
    triggeredMinutesAgo: 1506,
    acknowledgedMinutesAgo: 1502,
    resolvedMinutesAgo: 1472,
    cast: {
      onCall: { onCall: 'platform', level: 'primary', minutesAgo: 1506 },
      commander: 'priya-raman',
      fixer: 'lena-fischer',
    },
    incident: { nativeId: 'Q9PL3XA', number: 1036, assignee: 'onCall', commander: 'commander' },
    timeline: [
      { minutesAgo: 1508, kind: 'alert', message: 'AuthTokenRejections firing for api-gateway: 401 ratio 12% (threshold 1%).' },
      { minutesAgo: 1506, kind: 'triggered', message: 'Incident #1036 triggered by Alertmanager: AuthTokenRejections api-gateway; paged primary on-call {onCall}.' },
      { minutesAgo: 1502, kind: 'acknowledged', actor: 'onCall', message: 'Acknowledged by {onCall}.' },
      { minutesAgo: 1494, kind: 'note', actor: 'onCall', message: 'Rejected tokens carry kid=2026-11-k2, which the gateway JWKS cache does not know yet (TTL 1h).' },
      { minutesAgo: 1488, kind: 'status_update', actor: 'commander', message: 'Some customers are being logged out; cause identified, mitigation in progress.' },
      { minutesAgo: 1480, kind: 'note', actor: 'fixer', message: 'Ran gatewayctl jwks refresh on all gateway pods; 401 ratio back to baseline.' },
      { minutesAgo: 1472, kind: 'resolved', actor: 'onCall', message: 'Resolved: 401 ratio at 0.2% for 8 minutes. Postmortem to follow.' },
    ],
    alerts: [
      {
        name: 'AuthTokenRejections',
        serviceId: 'api-gateway',
        severity: 'critical',
        summary: 'api-gateway rejecting more than 1% of tokens',
        description: 'sum(rate(gateway_auth_rejections_total{reason="unknown_kid"}[5m])) / sum(rate(gateway_requests_total[5m])) = 0.12',
        labels: { alertname: 'AuthTokenRejections', service: 'api-gateway', severity: 'critical', team: 'platform', env: 'production' },
        firingMinutesAgo: 1508,
        resolvedMinutesAgo: 1474,
      },
    ],
    signals: [
      {
        serviceId: 'api-gateway',
        startedMinutesAgo: 1510,
        endedMinutesAgo: 1478,
        effects: { errorRate: 0.12 },
        logPatterns: [
          { level: 'warn', message: 'jwt verification failed: unknown kid "2026-11-k2" path={path} trace_id={traceId}', weight: 12 },
          { level: 'warn', message: '{ip} "{method} {path} HTTP/1.1" 401 {bytes} {ms}ms trace_id={traceId}', weight: 12 },
        ],
      },
      {
        serviceId: 'auth',
        startedMinutesAgo: 1512,
        endedMinutesAgo: 1478,
        effects: {},
        logPatterns: [
          { level: 'info', message: 'signing key rotated: active kid=2026-11-k2, previous kid=2026-10-k1 retained for verification', weight: 0.2 },
        ],
      },
    ],
    ticket: {
      key: 'OPS-294',
      title: 'Postmortem: JWKS cache not refreshed before key rotation',
      description:
        'Publish new keys to JWKS at least one cache TTL before they become active, and have the gateway refetch JWKS on unknown kid.',
      assignee: 'fixer',
      reporter: 'commander',
      status: 'Done',
      priority: 'Medium',
      createdMinutesAgo: 1460,
      labels: ['postmortem', 'auth'],
    },
    runbookIds: ['rb-auth-signing-keys'],
    slackChannel: '#inc-1036-auth-401s',
    links: [{ title: 'Postmortem', url: `${WIKI}/postmortems/1036-auth-signing-key` }],
  },
];

/**
 * A variant of the demo world (the copilot's evaluations build their cases this way): scenarios removed,
 * added, or given extra alerts, signals and timeline entries. Read from the YAML file named by
 * OPSORCH_DEMO_WORLD once at start-up; without it the world is exactly BUILT_IN_SCENARIOS.
 */
export interface DemoWorldVariant {
  description?: string;
  /** Ids of built-in scenarios left out. */
  remove?: string[];
  /** Whole scenarios added (the same shape as the built-in ones). */
  add?: DemoScenario[];
  /** Items appended to a built-in scenario's lists, by scenario id. */
  append?: Record<string, Partial<Pick<DemoScenario, 'alerts' | 'signals' | 'timeline'>>>;
}

/** The scenarios with a variant applied; errors name the file and what to fix. */
export function applyWorldVariant(base: readonly DemoScenario[], variant: DemoWorldVariant, where = 'the world variant'): DemoScenario[] {
  const known = new Set(base.map((s) => s.id));
  for (const id of [...(variant.remove ?? []), ...Object.keys(variant.append ?? {})]) {
    if (!known.has(id)) throw new Error(`${where}: no built-in scenario "${id}" (known: ${[...known].join(', ')})`);
  }
  const removed = new Set(variant.remove ?? []);
  const out = base
    .filter((s) => !removed.has(s.id))
    .map((s) => {
      const extra = variant.append?.[s.id];
      if (!extra) return s;
      return { ...s, alerts: [...s.alerts, ...(extra.alerts ?? [])], signals: [...s.signals, ...(extra.signals ?? [])], timeline: [...s.timeline, ...(extra.timeline ?? [])] };
    });
  for (const [index, scenario] of (variant.add ?? []).entries()) {
    const missing = (['id', 'kind', 'title', 'rootServiceId', 'cast', 'incident', 'timeline', 'alerts', 'signals', 'ticket', 'runbookIds'] as const).filter((k) => scenario[k] === undefined);
    if (missing.length) throw new Error(`${where}: add[${index}] lacks ${missing.join(', ')}`);
    if (out.some((s) => s.id === scenario.id || s.incident.nativeId === scenario.incident.nativeId)) throw new Error(`${where}: add[${index}] reuses the id of another scenario or incident`);
    for (const serviceId of [scenario.rootServiceId, ...(scenario.affectedServiceIds ?? []), ...scenario.signals.map((g) => g.serviceId), ...scenario.alerts.map((a) => a.serviceId)]) {
      if (!services.some((s) => s.id === serviceId)) throw new Error(`${where}: add[${index}] names unknown service "${serviceId}"`);
    }
    out.push({ ...scenario, links: scenario.links ?? [], affectedServiceIds: scenario.affectedServiceIds ?? [] });
  }
  return out;
}

function variantFromEnv(): DemoWorldVariant | null {
  const path = process.env.OPSORCH_DEMO_WORLD?.trim();
  if (!path) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`OPSORCH_DEMO_WORLD: cannot read ${path}`);
  }
  return (parseYaml(text) ?? {}) as DemoWorldVariant;
}

const variant = variantFromEnv();

/** Every scenario of the world: the built-in ones, changed by OPSORCH_DEMO_WORLD when set. */
export const scenarios: readonly DemoScenario[] = variant
  ? applyWorldVariant(BUILT_IN_SCENARIOS, variant, `OPSORCH_DEMO_WORLD (${process.env.OPSORCH_DEMO_WORLD})`)
  : BUILT_IN_SCENARIOS;

/** The scenarios still in progress (everything but resolved history). */
export const activeScenarios: readonly DemoScenario[] = scenarios.filter((s) => s.status !== 'resolved');

// ---------------------------------------------------------------------------------------------
// Lookups

export const serviceById: ReadonlyMap<string, DemoService> = new Map(services.map((s) => [s.id, s]));
export const teamById: ReadonlyMap<string, DemoTeam> = new Map(teams.map((t) => [t.id, t]));
export const personById: ReadonlyMap<string, DemoPerson> = new Map(people.map((p) => [p.id, p]));
export const personByEmail: ReadonlyMap<string, DemoPerson> = new Map(people.map((p) => [p.email, p]));
export const scenarioById: ReadonlyMap<string, DemoScenario> = new Map(scenarios.map((s) => [s.id, s]));
export const runbookById: ReadonlyMap<string, DemoRunbook> = new Map(runbooks.map((r) => [r.id, r]));

export function servicesOwnedBy(teamId: string): DemoService[] {
  return services.filter((s) => s.ownerTeamId === teamId);
}

/** Services that list `serviceId` as a dependency (who calls it). */
export function dependentsOf(serviceId: string): DemoService[] {
  return services.filter((s) => s.dependencies.includes(serviceId));
}

export function scenariosForService(serviceId: string): DemoScenario[] {
  return scenarios.filter(
    (s) => s.rootServiceId === serviceId || s.affectedServiceIds.includes(serviceId),
  );
}

// ---------------------------------------------------------------------------------------------
// On-call

export interface OnCallShift {
  personId: string;
  shiftStart: Date;
  shiftEnd: Date;
}

function shiftAt(team: DemoTeam, at: Date, offset: number): OnCallShift {
  const { order, shiftHours, epoch } = team.rotation;
  if (order.length === 0) throw new Error(`team ${team.id} has an empty rotation`);
  const shiftMs = shiftHours * 3_600_000;
  const epochMs = Date.parse(epoch);
  const index = Math.floor((at.getTime() - epochMs) / shiftMs);
  const slot = (((index + offset) % order.length) + order.length) % order.length;
  const start = epochMs + index * shiftMs;
  return { personId: order[slot] as string, shiftStart: new Date(start), shiftEnd: new Date(start + shiftMs) };
}

/** Primary on-call of the team's rotation at `at`. */
export function onCallAt(team: DemoTeam, at: Date): OnCallShift {
  return shiftAt(team, at, 0);
}

/** Secondary on-call: the next person in the rotation order, same shift. */
export function secondaryOnCallAt(team: DemoTeam, at: Date): OnCallShift {
  return shiftAt(team, at, 1);
}

// ---------------------------------------------------------------------------------------------
// Scenario stories: the cast resolved against the rotation

/** A scenario as every capability tells it: cast parts resolved to person ids, `{part}` replaced by names. */
export interface ScenarioStory {
  /** Person id of each cast part. */
  people: Readonly<Record<string, string>>;
  assigneeId: string;
  commanderId: string | null;
  timeline: { minutesAgo: number; kind: TimelineKind; actorId?: string; message: string }[];
  ticket: { assigneeId: string; reporterId: string };
}

const stories = new WeakMap<DemoScenario, ScenarioStory>();

/** The person playing `member` in this world (its clock fixes the on-call shifts). */
function castPerson(member: CastMember, what: string): string {
  if (typeof member === 'string') {
    if (!personById.has(member)) throw new Error(`${what}: no person "${member}" in the demo world`);
    return member;
  }
  const team = teamById.get(member.onCall);
  if (!team) throw new Error(`${what}: no team "${member.onCall}" in the demo world`);
  const at = minutesAgo(member.minutesAgo);
  return (member.level === 'primary' ? onCallAt(team, at) : secondaryOnCallAt(team, at)).personId;
}

/** The scenario's story in this world; computed once (the demo clock is fixed for the life of the process). */
export function storyOf(s: DemoScenario): ScenarioStory {
  const known = stories.get(s);
  if (known) return known;
  const people = Object.fromEntries(Object.entries(s.cast).map(([part, member]) => [part, castPerson(member, `${s.id} cast "${part}"`)]));
  const personOf = (part: string, what: string): string => {
    const id = people[part];
    if (!id) throw new Error(`${s.id} ${what}: "${part}" is not in the cast (${Object.keys(people).join(', ')})`);
    return id;
  };
  const story: ScenarioStory = {
    people,
    assigneeId: personOf(s.incident.assignee, 'assignee'),
    commanderId: s.incident.commander ? personOf(s.incident.commander, 'commander') : null,
    timeline: s.timeline.map((e) => ({
      minutesAgo: e.minutesAgo,
      kind: e.kind,
      ...(e.actor ? { actorId: personOf(e.actor, `timeline at ${e.minutesAgo}`) } : {}),
      message: e.message.replace(/\{(\w+)\}/g, (_m, part: string) => personById.get(personOf(part, `timeline at ${e.minutesAgo}`))!.name),
    })),
    ticket: { assigneeId: personOf(s.ticket.assignee, 'ticket assignee'), reporterId: personOf(s.ticket.reporter, 'ticket reporter') },
  };
  stories.set(s, story);
  return story;
}

// ---------------------------------------------------------------------------------------------
// Deploy history

const COMMIT_MESSAGES = [
  'fix({svc}): handle empty response from {dep}',
  'feat({svc}): add request-level metrics for slow paths',
  'chore(deps): bump opentelemetry SDK to 1.28',
  'perf({svc}): cache hot reads for 30s',
  'fix({svc}): propagate trace context to {dep}',
  'refactor({svc}): extract config loading',
  'feat({svc}): expose /healthz/ready for the new probe',
  'fix({svc}): tighten timeout on {dep} calls to 2s',
  'chore({svc}): bump base image to distroless 2026-11',
  'feat({svc}): feature flag for gradual rollout of v2 handler',
  'fix({svc}): avoid double retry on idempotent requests',
  'chore(deps): security patch for transitive dependency',
  'docs({svc}): update runbook link in alerts',
  'fix({svc}): log structured error codes',
  'feat({svc}): support EUR/GBP rounding rules',
];

interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

function parseSemver(v: string): SemVer {
  const [major = 0, minor = 0, patch = 0] = v.split('.').map((n) => Number.parseInt(n, 10));
  return { major, minor, patch };
}

const fmt = (v: SemVer): string => `${v.major}.${v.minor}.${v.patch}`;

/** The version released just before `v`, walking back through minor/major boundaries. */
function previousVersion(v: SemVer, rng: () => number): SemVer {
  if (v.patch > 0) return { ...v, patch: v.patch - 1 };
  if (v.minor > 0) return { major: v.major, minor: v.minor - 1, patch: intBetween(rng, 0, 5) };
  return { major: Math.max(0, v.major - 1), minor: intBetween(rng, 3, 12), patch: intBetween(rng, 0, 4) };
}

const DAY_MIN = 1440;
const HISTORY_DAYS = 14;
const cache = new Map<string, DemoDeploy[]>();

/**
 * Deterministic deploy history over the last 14 days, newest first: production deploys each preceded by
 * a staging deploy of the same version. The newest production version equals the catalog version, and
 * a scenario deploy appears exactly as the scenario describes it.
 */
export function deployHistory(serviceId: string): DemoDeploy[] {
  const hit = cache.get(serviceId);
  if (hit) return hit.map((d) => ({ ...d }));
  const svc = serviceById.get(serviceId);
  if (!svc) return [];
  const team = teamById.get(svc.ownerTeamId);
  const authors = team ? team.memberIds.filter((id) => personById.get(id)?.role !== 'engineering-manager') : [];
  const scenarioDeploy = scenarios.find((s) => s.deploy?.serviceId === serviceId)?.deploy;
  const infra = svc.kind === 'database' || svc.kind === 'queue';

  // Production deploy times, newest first.
  const times: number[] = [];
  const newestAllowed = scenarioDeploy ? scenarioDeploy.minutesAgo + 180 : 30;
  for (let day = 0; day < HISTORY_DAYS; day++) {
    const dayRng = rngFor(DEMO_SEED, 'deploy-day', serviceId, day);
    const count = infra ? (dayRng() < 0.35 ? 1 : 0) : intBetween(dayRng, 1, 3);
    const slots: number[] = [];
    for (let i = 0; i < count; i++) slots.push(day * DAY_MIN + intBetween(dayRng, 60, DAY_MIN - 60));
    for (const t of slots.sort((a, b) => a - b)) if (t >= newestAllowed) times.push(t);
  }
  times.sort((a, b) => a - b);

  const out: DemoDeploy[] = [];
  let prNumber = 400 + (rngFor(DEMO_SEED, 'pr', serviceId)() * 900) | 0;
  const push = (d: Omit<DemoDeploy, 'id'>): void => {
    out.push({ id: `dep-${serviceId}-${d.environment}-${d.version}-${d.minutesAgo}`, ...d });
  };

  let version = parseSemver(svc.version);
  if (scenarioDeploy) {
    push({ serviceId, version: scenarioDeploy.version, minutesAgo: scenarioDeploy.minutesAgo, authorId: scenarioDeploy.authorId, commitSha: scenarioDeploy.commitSha, commitMessage: scenarioDeploy.commitMessage, prNumber: scenarioDeploy.prNumber, status: 'succeeded', environment: 'production' });
    push({ serviceId, version: scenarioDeploy.version, minutesAgo: scenarioDeploy.minutesAgo + 95, authorId: scenarioDeploy.authorId, commitSha: scenarioDeploy.commitSha, commitMessage: scenarioDeploy.commitMessage, prNumber: scenarioDeploy.prNumber, status: 'succeeded', environment: 'staging' });
    version = parseSemver(scenarioDeploy.previousVersion);
    prNumber = scenarioDeploy.prNumber;
  }

  for (const [i, t] of times.entries()) {
    const r = rngFor(DEMO_SEED, 'deploy', serviceId, t);
    const dep = svc.dependencies.length > 0 ? pick(r, svc.dependencies) : 'upstream';
    const commitMessage = pick(r, COMMIT_MESSAGES).replaceAll('{svc}', serviceId).replaceAll('{dep}', dep);
    const authorId = authors.length > 0 ? pick(r, authors) : svc.ownerTeamId;
    const commitSha = hexFor([DEMO_SEED, serviceId, fmt(version), t]);
    prNumber -= intBetween(r, 1, 6);
    // The newest production deploy must be the running version, so it always succeeded.
    const roll = r();
    const status: DeployStatus = i === 0 && !scenarioDeploy ? 'succeeded' : roll < 0.04 ? 'failed' : roll < 0.08 ? 'rolled_back' : 'succeeded';
    const v = fmt(version);
    push({ serviceId, version: v, minutesAgo: t, authorId, commitSha, commitMessage, prNumber, status, environment: 'production' });
    push({ serviceId, version: v, minutesAgo: t + intBetween(r, 20, 110), authorId, commitSha, commitMessage, prNumber, status: 'succeeded', environment: 'staging' });
    version = previousVersion(version, r);
  }

  out.sort((a, b) => a.minutesAgo - b.minutesAgo);
  cache.set(serviceId, out);
  return out.map((d) => ({ ...d }));
}
