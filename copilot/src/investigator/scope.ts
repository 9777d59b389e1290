// Step one of an investigation: what is the question about? An incident, a service, a time window.
import type { PlannerContext, PlannerInput } from '../planner.ts';
import type { ToolRecord } from '../session.ts';
import { keywords } from './analysis.ts';
import { readPages } from './checks.ts';

export interface CatalogService {
  id: string;
  name: string;
  tier: string;
  kind: string;
  health?: { status: string } | null;
}

export interface WarRoom {
  id: string;
  number: number;
  title: string;
  summary?: string | null;
  status: string;
  severity: string;
  startedAt: string;
  url: string;
  service: { id: string; name: string; owner?: { id: string; name: string } | null; dependencies?: { id: string; health?: { status: string } }[] } | null;
  deploymentsBefore?: unknown[] | null;
  timeline?: { nodes: { at: string; kind: string; message: string; actor?: { name: string } | null }[] } | null;
  suggestedRunbooks?: { id: string; name: string; description?: string }[] | null;
}

export interface InvestigationScope {
  service: string | null;
  incident: WarRoom | null;
  incidentCall: ToolRecord | null;
  /** Open incidents when the question named nothing (the answer lists them). */
  openIncidents: { id: string; number: number; title: string; severity: string; service: { id: string } | null; startedAt: string }[];
  catalog: Map<string, CatalogService>;
  catalogCall: ToolRecord | null;
  /** How the scope was chosen, for the answer. */
  reason: string;
}

const SEVERITY_ORDER = ['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5', 'UNKNOWN'];

/** The catalog service a question names: its id as a word, its name, or the first part of its id. */
export function serviceNamedIn(question: string, catalog: Iterable<CatalogService>): CatalogService | null {
  const text = question.toLowerCase();
  const words = new Set(keywords(question));
  let best: { service: CatalogService; score: number } | null = null;
  for (const service of catalog) {
    const id = service.id.toLowerCase();
    const nameWords = service.name.toLowerCase().split(/\s+/);
    let score = 0;
    if (containsWord(text, id)) score = 3;
    else if (nameWords.length > 1 && nameWords.every((w) => words.has(w))) score = 2;
    else if (words.has(id.split('-')[0]!) || nameWords.some((w) => w.length > 3 && words.has(w))) score = 1;
    const tierBonus = service.tier === 'TIER_1' ? 0.1 : 0;
    if (score > 0 && (!best || score + tierBonus > best.score)) best = { service, score: score + tierBonus };
  }
  return best?.service ?? null;
}

const WORD = /[a-z0-9-]/;

/** Whether `word` occurs in `text` with no letter, digit or dash on either side (no pattern built from data). */
function containsWord(text: string, word: string): boolean {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = at === 0 ? '' : text[at - 1]!;
    const after = text[at + word.length] ?? '';
    if (!WORD.test(before) && !WORD.test(after)) return true;
  }
  return false;
}

/** `#1042`, `incident 1042` or an id like `demo:Q3VW8TR` in the question. */
function incidentReference(question: string): { number?: number; id?: string } {
  const id = /\b([a-z][a-z0-9-]*:[A-Z0-9]{5,})\b/.exec(question)?.[1];
  if (id) return { id };
  const number = /(?:#|incident\s+)(\d{2,})/i.exec(question)?.[1];
  return number ? { number: Number(number) } : {};
}

export async function resolveScope(input: PlannerInput, context: PlannerContext): Promise<InvestigationScope> {
  const { tools } = context;
  const { call: catalogCall, items } = await readPages<CatalogService>(tools, 'list_services', {}, 'services');
  const catalog = new Map<string, CatalogService>(items.map((s) => [s.id, s]));
  const scope: InvestigationScope = { service: null, incident: null, incidentCall: null, openIncidents: [], catalog, catalogCall, reason: '' };

  const reference = input.context.incidentId ? { id: input.context.incidentId } : incidentReference(input.question);
  let incidentId = reference.id;
  if (!incidentId && reference.number !== undefined) {
    const { items } = await readPages<{ id: string; number: number }>(tools, 'list_incidents', {}, 'incidents');
    incidentId = items.find((n) => n.number === reference.number)?.id;
    if (!incidentId) scope.reason = `No incident #${reference.number} was found. `;
  }

  const named = input.context.service ? (catalog.get(input.context.service) ?? { id: input.context.service, name: input.context.service, tier: '', kind: '' }) : serviceNamedIn(input.question, catalog.values());
  if (!incidentId && named) {
    const open = await tools.call('list_incidents', { service: named.id, statuses: ['TRIGGERED', 'ACKNOWLEDGED'], first: 10 });
    const nodes = (open.data?.incidents?.nodes ?? []) as InvestigationScope['openIncidents'];
    // The incident opened on this service; another service's incident merely affecting it is found by the dependency walk.
    const own = nodes.filter((n) => n.service?.id === named.id).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    if (own[0]) {
      incidentId = own[0].id;
      scope.reason += `${named.id} has an open incident, #${own[0].number}. `;
    }
  }
  if (!incidentId && !named) {
    const open = await tools.call('list_incidents', { statuses: ['TRIGGERED', 'ACKNOWLEDGED'], first: 25 });
    scope.openIncidents = ((open.data?.incidents?.nodes ?? []) as InvestigationScope['openIncidents']).sort(
      (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || b.startedAt.localeCompare(a.startedAt),
    );
    if (scope.openIncidents[0]) {
      incidentId = scope.openIncidents[0].id;
      scope.reason += `The question names no service or incident, so this looks at the most severe open incident, #${scope.openIncidents[0].number}. `;
    }
  }
  if (incidentId) {
    const call = await tools.call('get_incident_war_room', { id: incidentId });
    if (call.ok && call.data?.incident) {
      scope.incident = call.data.incident as WarRoom;
      scope.incidentCall = call;
      scope.service = scope.incident.service?.id ?? named?.id ?? null;
      return scope;
    }
    scope.reason += `The incident ${incidentId} could not be read (${call.text.slice(0, 160)}). `;
  }
  scope.service = named?.id ?? null;
  return scope;
}
