// The vendors' published API documents live in ../shared/vendor-api beside a development checkout and in CI,
// never in a user's clone. Contract fakes carry what they need in the repository; only the check of a fake
// against the vendor's own document needs the file, and is skipped (saying so) when it is absent.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the vendor documents are when the checkout has `../shared` beside it. */
export const VENDOR_API_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'vendor-api');

/** The parsed vendor document `file` (e.g. `vault.openapi.json`), or undefined when ../shared is absent. */
export function readVendorApi<T = unknown>(file: string): T | undefined {
  const path = join(VENDOR_API_DIR, file);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The line a skipped vendor-document check prints, so a clone's test output says what did not run and why. */
export function vendorApiSkipNotice(file: string): string {
  return `skipped: the check against ${file} needs ../shared/vendor-api beside the repository (${VENDOR_API_DIR}), which this checkout does not have`;
}
