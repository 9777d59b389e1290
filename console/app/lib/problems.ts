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
