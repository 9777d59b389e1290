import type { z } from 'zod';
import { badInput } from './errors.ts';

/** Parses settings with zod; the error names the keys to fix (the first three problems). */
export function parseSettings<T extends z.ZodType>(schema: T, settings: Record<string, unknown>, what: string): z.infer<T> {
  const parsed = schema.safeParse(settings);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(settings)'}: ${issue.message}`);
    throw badInput(`${what} settings: ${problems.join('; ')}`);
  }
  return parsed.data;
}
