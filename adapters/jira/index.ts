import { defineProvider } from '../src/provider.ts';
import { jiraSettingsSchema } from './settings.ts';
import { JiraTicketProvider } from './tickets.ts';

export { JiraTicketProvider } from './tickets.ts';
export { jqlString } from './jql.ts';

/** Jira Cloud: tickets (issues) through REST v3, projects joined to catalog services. */
export const jira = defineProvider({
  label: 'Jira Cloud',
  settings: jiraSettingsSchema,
  factories: {
    tickets: (settings, deps) => new JiraTicketProvider(settings, deps),
  },
});
