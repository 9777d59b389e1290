import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onCallAt, personById, scenarios, serviceById, storyOf, teamById } from '../../adapters/demo/world.ts';
import type { RunningGateway } from '../src/index.ts';
import { gql, startTestGateway } from './harness.ts';
import { WAR_ROOM } from './queries.ts';

const emailOf = (personId: string) => personById.get(personId)!.email;

describe('the war-room query against the demo world, in one request', () => {
  let gateway: RunningGateway;
  let incidents: any[];

  beforeAll(async () => {
    gateway = await startTestGateway();
    const body = await gql(gateway.url, WAR_ROOM);
    expect(body.errors).toBeUndefined();
    incidents = body.data.incidents.nodes;
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('lists every open scenario incident, newest first', () => {
    const open = scenarios.filter((s) => s.status !== 'resolved');
    expect(incidents.map((i) => i.number).sort()).toEqual(open.map((s) => s.incident.number).sort());
    const starts = incidents.map((i) => Date.parse(i.startedAt));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
  });

  for (const scenario of scenarios.filter((s) => s.status !== 'resolved')) {
    describe(`${scenario.kind}: ${scenario.title}`, () => {
      const find = () => incidents.find((i) => i.number === scenario.incident.number);

      it('has the scenario severity, status, service and a deep link to its source', () => {
        const incident = find();
        expect(incident).toMatchObject({
          id: `demo:${scenario.incident.nativeId}`,
          severity: scenario.severity,
          status: scenario.status.toUpperCase(),
          service: { id: scenario.rootServiceId },
          source: { provider: 'demo', instance: 'demo', id: scenario.incident.nativeId },
        });
        expect(incident.url).toMatch(/^https:\/\//);
      });

      it('names the owner team and who is on call now', () => {
        const service = serviceById.get(scenario.rootServiceId)!;
        const team = teamById.get(service.ownerTeamId)!;
        const owner = find().service.owner;
        expect(owner).toMatchObject({ id: team.id, name: team.name });
        const primary = owner.onCall.find((shift: any) => shift.level === 'PRIMARY');
        expect(primary.user.id).toBe(emailOf(onCallAt(team, new Date()).personId));
      });

      it("shows the service's firing alerts from the scenario", () => {
        const expected = scenario.alerts.filter((a) => a.serviceId === scenario.rootServiceId).map((a) => a.name);
        const names = find().service.alerts.nodes.map((a: any) => a.name);
        for (const name of expected) expect(names).toContain(name);
      });

      it("gives each dependency's health, derived from its own alerts", () => {
        const service = serviceById.get(scenario.rootServiceId)!;
        const dependencies = find().service.dependencies;
        expect(dependencies.map((d: any) => d.id).sort()).toEqual([...service.dependencies].sort());
        for (const dependency of dependencies) {
          expect(['HEALTHY', 'DEGRADED', 'DOWN', 'UNKNOWN']).toContain(dependency.health.status);
          const firing = scenarios
            .filter((s) => s.status !== 'resolved')
            .flatMap((s) => s.alerts)
            .filter((a) => a.serviceId === dependency.id);
          if (firing.some((a) => a.severity === 'critical')) expect(dependency.health.status).toBe('DOWN');
          else if (firing.length === 0) expect(dependency.health.status).toBe('HEALTHY');
        }
      });

      it('lists the deploys of the hour before the incident', () => {
        const deploys = find().deploymentsBefore;
        const started = Date.parse(find().startedAt);
        for (const deploy of deploys) {
          const at = Date.parse(deploy.startedAt);
          expect(at).toBeLessThanOrEqual(started);
          expect(at).toBeGreaterThanOrEqual(started - 3_600_000);
        }
        if (scenario.deploy && scenario.deploy.minutesAgo - scenario.triggeredMinutesAgo <= 60) {
          expect(deploys).toContainEqual(
            expect.objectContaining({
              version: scenario.deploy.version,
              author: expect.objectContaining({ id: emailOf(scenario.deploy.authorId) }),
              commit: expect.objectContaining({ message: scenario.deploy.commitMessage }),
            }),
          );
        }
      });

      it('ends with the latest timeline entries, newest first', () => {
        const latest = [...storyOf(scenario).timeline].sort((a, b) => a.minutesAgo - b.minutesAgo).slice(0, 3);
        expect(find().timeline.nodes.map((e: any) => e.message)).toEqual(latest.map((e) => e.message));
      });
    });
  }
});
