// A workflow file read as a runbook: its `workflow_dispatch` inputs are the parameters, its jobs the steps (in
// `needs` order), and a job that deploys to an environment gets an approval step before it (the environment's
// required reviewers; GitHub skips it when the environment has none).
import { parse } from 'yaml';
import { badInput } from '../src/errors.ts';
import type { RunbookStepRecord } from '../src/spi/orchestration.ts';

export interface WorkflowInput {
  name: string;
  description: string;
  required: boolean;
  default: string | boolean | number | null;
  type: string;
  options: string[];
}

export interface WorkflowJob {
  key: string;
  /** What GitHub calls the job in a run (`name:`, else the key). */
  title: string;
  needs: string[];
  environment: string | null;
  steps: string[];
}

export interface ParsedWorkflow {
  dispatchable: boolean;
  inputs: WorkflowInput[];
  jobs: WorkflowJob[];
}

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);

/** Reads a workflow file; a file that is not a workflow is not dispatchable. */
export function parseWorkflow(text: string): ParsedWorkflow {
  let doc: Record<string, any>;
  try {
    doc = (parse(text, { maxAliasCount: 100 }) as Record<string, any>) ?? {};
  } catch {
    return { dispatchable: false, inputs: [], jobs: [] };
  }
  // `on` may be a string, a list of events or a map (YAML 1.1 readers turn the key into `true`; `yaml` keeps "on").
  const on = doc.on ?? doc.true;
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on : on && typeof on === 'object' ? Object.keys(on) : [];
  const dispatch = on && typeof on === 'object' && !Array.isArray(on) ? on.workflow_dispatch : null;
  const inputs = Object.entries((dispatch?.inputs ?? {}) as Record<string, any>).map(([name, spec]) => ({
    name,
    description: String(spec?.description ?? ''),
    required: spec?.required === true,
    default: spec?.default ?? null,
    type: String(spec?.type ?? 'string'),
    options: asList(spec?.options),
  }));
  const jobs = Object.entries((doc.jobs ?? {}) as Record<string, any>).map(([key, job]) => ({
    key,
    title: typeof job?.name === 'string' ? job.name : key,
    needs: asList(job?.needs),
    environment: typeof job?.environment === 'string' ? job.environment : typeof job?.environment?.name === 'string' ? job.environment.name : null,
    steps: Array.isArray(job?.steps) ? job.steps.map((s: any, i: number) => String(s?.name ?? s?.uses ?? s?.run ?? `step ${i + 1}`).split('\n')[0]) : job?.uses ? [`uses ${job.uses}`] : [],
  }));
  return { dispatchable: events.includes('workflow_dispatch'), inputs, jobs: topological(jobs) };
}

/** Jobs ordered so every job follows those it needs (file order among independent ones). */
function topological(jobs: WorkflowJob[]): WorkflowJob[] {
  const done = new Set<string>();
  const out: WorkflowJob[] = [];
  const keys = new Set(jobs.map((j) => j.key));
  while (out.length < jobs.length) {
    const ready = jobs.find((j) => !done.has(j.key) && j.needs.every((n) => done.has(n) || !keys.has(n)));
    if (!ready) {
      // A cycle GitHub would refuse: keep the rest in file order.
      out.push(...jobs.filter((j) => !done.has(j.key)));
      break;
    }
    done.add(ready.key);
    out.push(ready);
  }
  return out;
}

export const approvalStepId = (jobKey: string) => `${jobKey}:approval`;

/** The runbook's steps: each job, preceded by an approval step when it deploys to an environment. */
export function stepsOf(workflow: ParsedWorkflow): RunbookStepRecord[] {
  return workflow.jobs.flatMap((job) => {
    const automated: RunbookStepRecord = {
      id: job.key,
      title: job.title,
      description: job.steps.length > 0 ? job.steps.map((s) => `- ${s}`).join('\n') : `Job ${job.key}`,
      kind: 'AUTOMATED',
      dependsOn: job.environment ? [approvalStepId(job.key)] : job.needs,
      environment: null,
    };
    if (!job.environment) return [automated];
    return [
      {
        id: approvalStepId(job.key),
        title: `Approve deployment to ${job.environment}`,
        description: `The "${job.environment}" environment's required reviewers approve or reject job ${job.title}; when the environment has no reviewers GitHub continues on its own.`,
        kind: 'APPROVAL',
        dependsOn: job.needs,
        // The environment's deployment review: completing it needs a credential of that environment (decision 014).
        environment: job.environment,
      },
      automated,
    ];
  });
}

/** Human description of the parameters, for the runbook's description. */
export function describeInputs(inputs: readonly WorkflowInput[]): string {
  if (inputs.length === 0) return 'No parameters.';
  return `Parameters: ${inputs
    .map((i) => `\`${i.name}\` (${i.type}${i.required ? ', required' : ''}${i.options.length ? `: ${i.options.join(' | ')}` : ''}${i.default !== null ? `, default ${i.default}` : ''})${i.description ? ` ${i.description}` : ''}`)
    .join('; ')}.`;
}

/** The `inputs` of a dispatch, checked like GitHub checks them, each a string as the API takes them. */
export function dispatchInputs(inputs: readonly WorkflowInput[], parameters: Record<string, unknown> | null): Record<string, string> {
  const given = parameters ?? {};
  const known = new Map(inputs.map((i) => [i.name, i]));
  const unknown = Object.keys(given).filter((k) => !known.has(k));
  if (unknown.length > 0) throw badInput(`unknown parameter ${unknown.map((u) => `"${u}"`).join(', ')}; this runbook takes ${inputs.map((i) => i.name).join(', ') || 'no parameters'}`);
  const out: Record<string, string> = {};
  for (const input of inputs) {
    const value = given[input.name];
    if (value === undefined || value === null) {
      if (input.required && input.default === null) throw badInput(`parameter "${input.name}" is required${input.description ? ` (${input.description})` : ''}`);
      continue;
    }
    if (typeof value === 'object') throw badInput(`parameter "${input.name}" must be a ${input.type}, not an object or list`);
    const text = String(value);
    if (input.type === 'boolean' && text !== 'true' && text !== 'false') throw badInput(`parameter "${input.name}" must be true or false`);
    if (input.type === 'number' && !Number.isFinite(Number(text))) throw badInput(`parameter "${input.name}" must be a number`);
    if (input.type === 'choice' && !input.options.includes(text)) throw badInput(`parameter "${input.name}" must be one of ${input.options.join(', ')}`);
    out[input.name] = text;
  }
  if (Object.keys(out).length > 25) throw badInput('GitHub takes at most 25 parameters per run');
  return out;
}
