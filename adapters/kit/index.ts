// The adapter kit: what every vendor adapter builds on (docs/adapter-guide.md). The contract-fake server helper
// is test code and is imported from `kit/contract-fake.ts` by tests only.
export * from './http.ts';
export * from './catalog.ts';
export * from './identity.ts';
export * from './logs.ts';
export * from './paging.ts';
export * from './settings.ts';
export * from './snapshot-alerts.ts';
export * from './incident-queries.ts';
