// What the server that mounts the console (console/server) hands every loader and action. The values are
// made per request outside the Remix build.

/** The person signed in through OpenID Connect, as their ID token describes them. */
export interface ConsolePerson {
  /** The provider's stable id of the person (`sub`). */
  subject: string;
  email?: string;
  name?: string;
  /** Their groups at the provider: the gateway maps them to scopes. */
  groups: string[];
}

/** How the console reaches the API for the person at the keyboard. */
export type ConsoleAccess =
  /** People sign in; each request carries the signed-in person's own token (null: nobody signed in yet). */
  | { mode: 'sign-in'; person: ConsolePerson | null; bearer: string | null; signInUrl: (returnTo: string) => string }
  /** Everyone shares the console's API key (kiosk mode, explicitly configured and logged). */
  | { mode: 'kiosk'; bearer: string }
  /** No sign-in and no key: the gateway's anonymous access (the open demo); the actor is a self-declared label. */
  | { mode: 'open' };

/** The CSRF token of this browser: forms carry `token`, actions check the submitted copy with `verify`. */
export interface CsrfContext {
  token: string;
  verify(submitted: unknown): boolean;
}

/** The hidden form field that carries the CSRF token. */
export const CSRF_FIELD = 'csrf';

export interface ConsoleLoadContext extends Record<string, unknown> {
  graphqlUrl: string;
  graphiqlUrl: string;
  access: ConsoleAccess;
  csrf: CsrfContext;
  /** Largest body an action reads (the server refuses a larger declared one before Remix). */
  maxBodyBytes: number;
}
