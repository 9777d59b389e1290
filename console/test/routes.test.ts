// The console's route modules follow Remix's conventions: every page with data has its own error boundary.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROUTES = join(import.meta.dirname, '..', 'app', 'routes');

it('every route module with a loader and a page exports an ErrorBoundary', () => {
  const missing = readdirSync(ROUTES)
    .filter((file) => file.endsWith('.tsx'))
    .filter((file) => {
      const source = readFileSync(join(ROUTES, file), 'utf8');
      return /export (async )?function loader/.test(source) && /export default function/.test(source) && !/export function ErrorBoundary/.test(source);
    });
  expect(missing).toEqual([]);
});
