// `opsorch start` mounts the copilot at /copilot beside /graphql and /mcp, behind the gateway's authentication.
import type { Request, RequestHandler } from 'express';
import type { Env } from '@opsorch/adapters';
import { MemoryConversationStore, type ConversationStore } from './conversations/store.ts';
import { RedisConversationStore } from './conversations/redis.ts';
import { copilotRouter } from './http/api.ts';
import { BuiltinInvestigator } from './investigator/index.ts';
import { LlmPlanner } from './llm/planner.ts';
import { Copilot, type CopilotLogger } from './runtime.ts';
import { copilotSettingsFromEnv, describeSettings } from './settings.ts';
import { inProcessTools, remoteTools } from './tools.ts';
import type { Person } from './types.ts';

/** What the gateway knows about an authenticated request (its `Principal`, structurally). */
export interface RequestPrincipal {
  actor: { kind: string; id: string };
  credential: { type: string; id: string };
  grants: { has(scope: string): boolean };
}

export interface CopilotMountOptions {
  graphqlUrl: () => string;
  authenticate: RequestHandler;
  principalOf(req: Request): RequestPrincipal | undefined;
  env: Env;
  logger?: CopilotLogger;
}

export interface MountedCopilot {
  copilot: Copilot;
  close(): Promise<void>;
}

interface RouteTarget {
  use(path: string, ...handlers: RequestHandler[]): unknown;
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The person behind a request: their credential's principal (and the credential itself, passed on so every
 * tool call is theirs), or in the open demo the self-declared `user:<email>` label the console sends.
 */
export function personFromRequest(req: Request, principal: RequestPrincipal | undefined): Person {
  const may = principal ? (scope: string) => principal.grants.has(scope) : undefined;
  if (!principal || principal.credential.type === 'anonymous') {
    const actor = principal?.actor ?? { kind: 'anonymous', id: 'anonymous' };
    const id = actor.kind === 'user' ? `user:${actor.id.toLowerCase()}` : 'anonymous';
    return { id, label: actor.kind === 'user' ? id : undefined, may };
  }
  const apiKey = header(req, 'x-api-key');
  const authorization = header(req, 'authorization') ?? (apiKey ? `Bearer ${apiKey}` : undefined);
  return { id: `${principal.actor.kind}:${principal.actor.id}`, authorization, may };
}

/** Builds the copilot from OPSORCH_COPILOT_* and mounts its API at /copilot (OPSORCH_COPILOT=off leaves it out). */
export async function mountCopilotFromEnv(app: RouteTarget, options: CopilotMountOptions): Promise<MountedCopilot | undefined> {
  const settings = await copilotSettingsFromEnv(options.env);
  if (!settings.enabled) return undefined;
  const store: ConversationStore = settings.redisUrl ? new RedisConversationStore(settings.redisUrl, settings.limits, options.logger) : new MemoryConversationStore(settings.limits);
  const builtin = new BuiltinInvestigator();
  const copilot = new Copilot({
    tools: settings.mcp ? remoteTools(settings.mcp) : inProcessTools({ graphqlUrl: options.graphqlUrl }),
    store,
    planners: { builtin, llm: settings.llm ? new LlmPlanner(settings.llm, builtin) : undefined },
    defaultPlanner: settings.defaultPlanner,
    limits: { maxToolCalls: settings.maxToolCalls },
    logger: options.logger,
  });
  const router = copilotRouter(copilot, { personOf: (req) => personFromRequest(req, options.principalOf(req)) });
  app.use('/copilot', options.authenticate, router as unknown as RequestHandler);
  options.logger?.info({ copilot: describeSettings(settings) }, 'copilot at /copilot');
  return { copilot, close: () => copilot.close() };
}
