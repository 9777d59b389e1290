import { defineProvider } from '../src/provider.ts';
import { ElasticsearchLogProvider } from './logs.ts';
import { elasticsearchSettingsSchema } from './settings.ts';

export { ElasticsearchLogProvider } from './logs.ts';
export { buildQuery } from './dsl.ts';

/** Elasticsearch or OpenSearch: log lines through `_search` and query DSL, counts by level, fields from a sample. */
export const elasticsearch = defineProvider({
  label: 'Elasticsearch / OpenSearch',
  settings: elasticsearchSettingsSchema,
  factories: {
    logs: (settings, deps) => new ElasticsearchLogProvider(settings, deps),
  },
});
