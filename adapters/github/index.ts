import { defineProvider } from '../src/provider.ts';
import { GithubDeploymentProvider } from './deployments.ts';
import { GithubOrchestrationProvider } from './orchestration.ts';
import { githubSettingsSchema } from './settings.ts';
import { GithubTeamProvider } from './teams.ts';
import { GithubTicketProvider } from './tickets.ts';

/** GitHub (and GitHub Enterprise Server): deployments and deploy workflow runs, issues, org teams, and Actions as a workflow engine. */
export const github = defineProvider({
  label: 'GitHub',
  settings: githubSettingsSchema,
  factories: {
    deployments: (settings, deps) => new GithubDeploymentProvider(settings, deps),
    tickets: (settings, deps) => new GithubTicketProvider(settings, deps),
    teams: (settings, deps) => new GithubTeamProvider(settings, deps),
    orchestration: (settings, deps) => new GithubOrchestrationProvider(settings, deps),
  },
});
