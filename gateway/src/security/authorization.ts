import type { ApolloServerPlugin } from '@apollo/server';
import { environmentScope, Grants } from './scopes.ts';
import type { OperationKnowledge } from './operation.ts';
import { refusal } from './operation.ts';
import { stateOfContext } from './state.ts';

export interface AuthorizationOptions {
  knowledge: OperationKnowledge;
  /** Grants of a request that reached GraphQL without passing the HTTP middlewares (null: refuse it). */
  fallbackGrants: Grants | null;
}

function listFields(fields: Iterable<string>, max = 3): string {
  const all = [...fields];
  return all.length > max ? `${all.slice(0, max).join(', ')} and ${all.length - max} more` : all.join(', ');
}

/**
 * Authorization: every selected field needs `<capability>:read` of the capability that owns it (read from
 * the supergraph), every mutation field `<capability>:write`; every environment the operation names needs
 * `env:<name>`, and a credential limited to some environments may not select a field that reads every
 * environment. `@requiresScopes`/`@authenticated` in the schema add to that. One FORBIDDEN error names
 * every missing scope and the fields that need it; nothing runs.
 */
export function createAuthorization(options: AuthorizationOptions): ApolloServerPlugin<object> {
  const { knowledge } = options;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          const principal = stateOfContext(requestContext.contextValue)?.principal;
          const grants = principal?.grants ?? options.fallbackGrants;
          if (!grants) throw refusal('Authentication required: send "Authorization: Bearer <API key or JWT>".', 'UNAUTHENTICATED', 401);
          const analysis = knowledge.analysisOf(requestContext);
          if (!analysis) return;

          if (analysis.authenticatedFields.size > 0 && (!principal || principal.credential.type === 'anonymous')) {
            throw refusal(`Authentication required for ${listFields(analysis.authenticatedFields)}.`, 'UNAUTHENTICATED', 401, {
              fields: [...analysis.authenticatedFields],
            });
          }

          const missing = new Map<string, Set<string>>();
          const miss = (scope: string, fields: Iterable<string>) => {
            let where = missing.get(scope);
            if (!where) missing.set(scope, (where = new Set()));
            for (const field of fields) where.add(field);
          };
          for (const [scope, need] of analysis.scopes) if (!grants.allows(need.capability, need.verb)) miss(scope, need.fields);
          for (const { field, anyOf } of analysis.schemaScopes) {
            if (anyOf.length > 0 && !anyOf.some((all) => all.every((s) => grants.has(s)))) {
              for (const scope of anyOf[0]!.filter((s) => !grants.has(s))) miss(scope, [field]);
            }
          }
          for (const [environment, fields] of analysis.environments) {
            if (!grants.allowsEnvironment(environment)) miss(environmentScope(environment), fields);
          }
          let hint = '';
          if (grants.restrictedToEnvironments && analysis.everyEnvironmentFields.size > 0) {
            miss(environmentScope('*'), analysis.everyEnvironmentFields);
            const allowed = [...grants.environments].join('" or "');
            hint = ` This credential is limited to environment "${allowed}": pass it to ${listFields(analysis.everyEnvironmentFields)}.`;
          }
          if (missing.size === 0) return;

          const scopes = [...missing.keys()];
          const detail = scopes.map((s) => `${s} (for ${listFields(missing.get(s)!)})`).join(', ');
          throw refusal(`Missing scope${scopes.length > 1 ? 's' : ''} ${detail}.${hint}`, 'FORBIDDEN', 403, {
            missingScope: scopes[0],
            missingScopes: scopes,
            fields: Object.fromEntries([...missing].map(([s, f]) => [s, [...f]])),
          });
        },
      };
    },
  };
}
