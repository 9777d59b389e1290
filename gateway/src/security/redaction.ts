import { redactSecrets } from '@opsorch/adapters';

/** Variable names whose values are never written anywhere (case-insensitive substrings). */
export const SECRET_NAME_PARTS = ['password', 'passwd', 'secret', 'token', 'apikey', 'api_key', 'authorization', 'credential', 'cookie', 'session', 'privatekey', 'private_key'];

export const REDACTED = '[REDACTED]';

/**
 * Returns a copy of `value` safe to write to the audit log: values under secret-looking names replaced,
 * credential-shaped strings and every known resolved secret scrubbed from the rest.
 */
export function redactVariables(value: unknown, extraNames: readonly string[] = [], depth = 0): unknown {
  const names = extraNames.length === 0 ? SECRET_NAME_PARTS : [...SECRET_NAME_PARTS, ...extraNames.map((n) => n.toLowerCase())];
  if (depth > 20) return REDACTED;
  if (typeof value === 'string') {
    // Known secrets and credential shapes (JWTs, Basic/Bearer values, OpsOrch API keys) whatever the variable's name.
    const text = redactSecrets(value);
    return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  }
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => redactVariables(item, extraNames, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        const lower = key.toLowerCase();
        return [key, names.some((part) => lower.includes(part)) ? REDACTED : redactVariables(item, extraNames, depth + 1)];
      }),
    );
  }
  return value;
}
