// Every provider kind OpsOrch ships, one line each: the export name is the kind named in configuration
// (`OPSORCH_METRICS_PROVIDER=prometheus`). A new vendor is its folder plus one line here (docs/adapter-guide.md).
export { alertmanager } from './alertmanager/index.ts';
export { backstage } from './backstage/index.ts';
export { corePlugin as 'core-plugin' } from './core-plugin/index.ts';
export { datadog } from './datadog/index.ts';
export { demo } from './demo/index.ts';
export { elasticsearch } from './elasticsearch/index.ts';
export { github } from './github/index.ts';
export { jira } from './jira/index.ts';
export { loki } from './loki/index.ts';
export { opsgenie } from './opsgenie/index.ts';
export { pagerduty } from './pagerduty/index.ts';
export { plugin } from './plugins/index.ts';
export { prometheus } from './prometheus/index.ts';
export { slack } from './slack/index.ts';
