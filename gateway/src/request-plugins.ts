import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';

/**
 * The request hooks that return nothing. Apollo Server starts each of them on every listener at once and waits for
 * all (Promise.all), so one hook that does the same for its members keeps their order and the first error.
 */
const VOID_HOOKS = new Set<string>(['didResolveSource', 'didResolveOperation', 'didEncounterErrors', 'willSendResponse', 'didEncounterSubsequentErrors', 'willSendSubsequentPayload']);

type Hook = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/**
 * The plugins for `new ApolloServer`, with those that only listen to requests served as one (decision 045), after
 * the others. For every request Apollo calls each stage's hook on each listener (ten stages, most of them defined by
 * none) and awaits each listener's `responseForOperation` in turn. The combined plugin gives Apollo one listener
 * holding only the hooks some member defines, each calling the members' in their order. Members' listeners may use
 * only the hooks that return nothing (VOID_HOOKS); any other is a programming error, reported by the first request.
 */
export function combineRequestPlugins<TContext extends BaseContext>(plugins: ApolloServerPlugin<TContext>[]): ApolloServerPlugin<TContext>[] {
  const requestOnly = (plugin: ApolloServerPlugin<TContext>) => Object.keys(plugin).every((key) => key === 'requestDidStart');
  const members = plugins.filter(requestOnly);
  return [...plugins.filter((plugin) => !requestOnly(plugin)), ...(members.length > 0 ? [combined(members)] : [])];
}

function combined<TContext extends BaseContext>(plugins: ApolloServerPlugin<TContext>[]): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart(requestContext) {
      const listeners = (await Promise.all(plugins.map((plugin) => plugin.requestDidStart!(requestContext)))).filter(
        (listener): listener is GraphQLRequestListener<TContext> => !!listener,
      );
      const combinedListener: Record<string, Hook> = {};
      for (const listener of listeners) {
        for (const hook in listener) {
          if (!VOID_HOOKS.has(hook)) throw new Error(`combineRequestPlugins: a member's listener has ${hook}, which returns a value; serve that plugin on its own`);
          combinedListener[hook] ??= (...args) => invoke(listeners, hook, args);
        }
      }
      return combinedListener as GraphQLRequestListener<TContext>;
    },
  };
}

/** Starts `hook` on every listener that has it, in order, as Apollo would; one promise for all of them. */
function invoke(listeners: object[], hook: string, args: unknown[]): Promise<unknown> {
  let first: Promise<unknown> | undefined;
  let all: Promise<unknown>[] | undefined;
  for (const listener of listeners) {
    const fn = (listener as Record<string, Hook | undefined>)[hook];
    if (!fn) continue;
    const started = fn.apply(listener, args);
    if (!first) first = started;
    else (all ??= [first]).push(started);
  }
  return all ? Promise.all(all) : first!;
}
