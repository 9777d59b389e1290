import { useSubmit } from '@remix-run/react';
import type { FormEvent } from 'react';

/**
 * Filters apply as you change them (the URL is the state). A newer change aborts the navigation of an
 * older one; that abort is expected, not an error.
 */
export function useAutoSubmit() {
  const submit = useSubmit();
  return (event: FormEvent<HTMLFormElement>) => {
    try {
      const pending = submit(event.currentTarget, { replace: true }) as unknown;
      if (pending instanceof Promise) pending.catch(() => undefined);
    } catch (error) {
      if ((error as Error)?.name !== 'AbortError') throw error;
    }
  };
}
