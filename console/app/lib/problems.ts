// What went wrong beside the data that arrived: GraphQL errors (with extensions.capability) and the
// providerErrors of merged lists. Shared by loaders and components.

/** A failure to show next to partial data. */
export interface ApiProblem {
  message: string;
  /** `extensions.code` or `ProviderError.code`, for example PROVIDER_TIMEOUT. */
  code?: string;
  /** The capability whose provider failed, for example `alerts`. */
  capability?: string;
  /** The provider instance that failed, for example `pagerduty-eu`. */
  provider?: string;
  /** Where in the answer the error sits, for GraphQL errors. */
  path?: string[];
}

interface ProviderErrorLike {
  capability: string;
  provider: string;
  code: string;
  message: string;
}

/** GraphQL errors whose path starts with `prefix` (for example `['incident', 'timeline']`). */
export function problemsAt(problems: readonly ApiProblem[], ...prefix: string[]): ApiProblem[] {
  return problems.filter((p) => p.path && prefix.every((part, i) => p.path![i] === part));
}

/** A section's problems: its GraphQL errors plus the providerErrors of its connections. */
export function sectionProblems(
  problems: readonly ApiProblem[],
  prefix: string[],
  ...providerErrors: (readonly ProviderErrorLike[] | null | undefined)[]
): ApiProblem[] {
  const fromProviders = providerErrors.flatMap((list) =>
    (list ?? []).map((e) => ({ message: e.message, code: e.code, capability: e.capability, provider: e.provider })),
  );
  return dedupeProblems([...problemsAt(problems, ...prefix), ...fromProviders]);
}

/** One line per distinct failure: a provider failing for twenty rows is one problem, not twenty. */
export function dedupeProblems(problems: readonly ApiProblem[]): ApiProblem[] {
  const seen = new Map<string, ApiProblem>();
  for (const p of problems) {
    const key = `${p.capability ?? ''}|${p.provider ?? ''}|${p.code ?? ''}|${p.message}`;
    if (!seen.has(key)) seen.set(key, p);
  }
  return [...seen.values()];
}

/**
 * Throws a 404 response (shown by the route's error boundary) when the object a page is about does not
 * exist: the API answered without it and without errors, or refused it as NOT_FOUND or as a malformed id.
 * Any other problem (a provider down) is shown on the page beside what did arrive.
 */
export function notFoundUnless(found: unknown, answered: boolean, problems: readonly ApiProblem[], message: string): void {
  if (found) return;
  const missing = problems.length === 0 ? answered : problems.every((p) => p.code === 'NOT_FOUND' || p.code === 'BAD_USER_INPUT');
  if (missing) throw new Response(message, { status: 404, statusText: 'Not Found' });
}
