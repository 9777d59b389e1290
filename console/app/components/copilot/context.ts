// What the page the person is on says about their question: the incident, the service, the time range.
import type { QuestionContext } from '@opsorch/copilot/types';

export interface PageContext {
  context: QuestionContext;
  /** A question to start from, for the input box. */
  suggestion: string;
  /** What the panel shows it will ask about. */
  label: string | null;
}

function segment(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export function pageContext(pathname: string, search: string): PageContext {
  const params = new URLSearchParams(search);
  const parts = pathname.split('/').filter(Boolean);
  const page = `${pathname}${search}`.slice(0, 500);
  if (parts[0] === 'incidents' && parts[1]) {
    const incidentId = segment(parts[1])!;
    return { context: { incidentId, page }, suggestion: 'What is causing this incident?', label: `incident ${incidentId}` };
  }
  if (parts[0] === 'services' && parts[1]) {
    const service = segment(parts[1])!;
    return { context: { service, page }, suggestion: `What is wrong with ${service}?`, label: `service ${service}` };
  }
  if (parts[0] === 'explore') {
    const service = params.get('service') ?? undefined;
    const from = params.get('from') ?? undefined;
    const to = params.get('to') ?? undefined;
    const context: QuestionContext = { page, ...(service ? { service } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
    return { context, suggestion: service ? `What changed in ${service} in this range?` : '', label: [service ? `service ${service}` : null, from ? `${from} → ${to ?? 'now'}` : null].filter(Boolean).join(' · ') || null };
  }
  return { context: { page }, suggestion: '', label: null };
}
