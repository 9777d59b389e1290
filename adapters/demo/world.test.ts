import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, it, expect } from 'vitest';
import { gaussian, hashString, hexFor, mulberry32, rngFor } from './random.ts';
import { demoAnchor, isoMinutesAgo, minutesAgo } from './clock.ts';
import {
  applyWorldVariant,
  BUILT_IN_SCENARIOS,
  type DemoWorldVariant,
  DEMO_SEED,
  LOG_PLACEHOLDERS,
  NORMAL_LOG_PATTERNS,
  activeScenarios,
  deployHistory,
  normalLogPatternsFor,
  onCallAt,
  people,
  personById,
  runbookById,
  scenarios,
  secondaryOnCallAt,
  serviceById,
  storyOf,
  services,
  servicesOwnedBy,
  teamById,
  teams,
  type LogPattern,
} from './world.ts';

const SLUG = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

describe('demo world catalog', () => {
  it('has unique slug service ids and enough services', () => {
    expect(services.length).toBeGreaterThanOrEqual(14);
    const ids = services.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(SLUG);
  });

  it('has dependencies that exist and form a DAG', () => {
    for (const s of services) {
      for (const d of s.dependencies) {
        expect(serviceById.has(d), `${s.id} -> ${d}`).toBe(true);
        expect(d).not.toBe(s.id);
      }
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw new Error(`cycle: ${[...path, id].join(' -> ')}`);
      state.set(id, 'visiting');
      for (const d of serviceById.get(id)!.dependencies) visit(d, [...path, id]);
      state.set(id, 'done');
    };
    for (const s of services) visit(s.id, []);
  });

  it('keeps the documented call chains', () => {
    const calls = (a: string, b: string) => serviceById.get(a)!.dependencies.includes(b);
    expect(calls('web-frontend', 'api-gateway')).toBe(true);
    expect(calls('api-gateway', 'checkout')).toBe(true);
    expect(calls('checkout', 'payments-api')).toBe(true);
    expect(calls('payments-api', 'stripe-bridge')).toBe(true);
    expect(calls('checkout', 'orders-db')).toBe(true);
    expect(calls('inventory', 'orders-db')).toBe(true);
  });

  it('has consistent external refs and links', () => {
    const pd = services.map((s) => s.externalRefs.pagerduty);
    expect(new Set(pd).size).toBe(pd.length);
    const dd = services.map((s) => s.externalRefs.datadog);
    expect(new Set(dd).size).toBe(dd.length);
    for (const s of services) {
      expect(s.externalRefs.github).toBe(`acme-shop/${s.id}`);
      expect(s.repoUrl).toBe(`https://github.com/acme-shop/${s.id}`);
      expect(s.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(s.links.length).toBeGreaterThan(0);
      expect(s.baseline.p99Ms).toBeGreaterThan(s.baseline.p50Ms);
    }
  });

  it('has owner teams that exist, and every team owns something', () => {
    for (const s of services) expect(teamById.has(s.ownerTeamId), s.id).toBe(true);
    for (const t of teams) expect(servicesOwnedBy(t.id).length).toBeGreaterThan(0);
  });

  it('has at least 5 teams forming a tree', () => {
    expect(teams.length).toBeGreaterThanOrEqual(5);
    for (const t of teams) {
      expect(t.id).toMatch(SLUG);
      if (t.parentId) {
        expect(teamById.has(t.parentId)).toBe(true);
        expect(teamById.get(t.parentId)!.parentId).toBeUndefined();
      }
    }
  });

  it('has team members that exist and belong to that team', () => {
    for (const t of teams) {
      expect(t.memberIds.length).toBeGreaterThan(0);
      expect(t.memberIds).toContain(t.managerId);
      for (const m of t.memberIds) {
        expect(personById.has(m), `${t.id}: ${m}`).toBe(true);
        expect(personById.get(m)!.teamId).toBe(t.id);
      }
    }
    for (const p of people) expect(teamById.get(p.teamId)!.memberIds).toContain(p.id);
  });

  it('has >= 20 people with unique ids and emails', () => {
    expect(people.length).toBeGreaterThanOrEqual(20);
    expect(new Set(people.map((p) => p.id)).size).toBe(people.length);
    const emails = people.map((p) => p.email);
    expect(new Set(emails).size).toBe(emails.length);
    for (const em of emails) expect(em).toMatch(/^[a-z.]+@acme-shop\.example$/);
  });

  it('has non-empty rotations made of team members', () => {
    for (const t of teams) {
      expect(t.rotation.order.length).toBeGreaterThan(0);
      expect(new Set(t.rotation.order).size).toBe(t.rotation.order.length);
      for (const m of t.rotation.order) expect(t.memberIds).toContain(m);
      expect(Number.isNaN(Date.parse(t.rotation.epoch))).toBe(false);
      expect(new Date(t.rotation.epoch).getUTCHours()).toBe(t.rotation.handoffHourUtc);
    }
  });

  it('computes on-call shifts', () => {
    const team = teamById.get('commerce')!;
    const epoch = new Date(team.rotation.epoch);
    const first = onCallAt(team, epoch);
    expect(first.personId).toBe(team.rotation.order[0]);
    expect(first.shiftStart.getTime()).toBe(epoch.getTime());
    expect(first.shiftEnd.getTime() - first.shiftStart.getTime()).toBe(168 * 3_600_000);
    expect(onCallAt(team, new Date(epoch.getTime() + 168 * 3_600_000)).personId).toBe(team.rotation.order[1]);
    expect(onCallAt(team, new Date(epoch.getTime() - 1)).personId).toBe(team.rotation.order.at(-1));
    const at = new Date('2026-11-26T12:34:00Z');
    for (const t of teams) {
      const p = onCallAt(t, at);
      const s = secondaryOnCallAt(t, at);
      expect(p.shiftStart.getTime()).toBeLessThanOrEqual(at.getTime());
      expect(p.shiftEnd.getTime()).toBeGreaterThan(at.getTime());
      if (t.rotation.order.length > 1) expect(s.personId).not.toBe(p.personId);
    }
  });
});

describe('scenarios', () => {
  const kinds = ['bad-deploy', 'db-saturation', 'third-party-degraded', 'disk-capacity'] as const;

  it('covers the four active kinds once each', () => {
    expect(activeScenarios.map((s) => s.kind).sort()).toEqual([...kinds].sort());
    expect(new Set(scenarios.map((s) => s.id)).size).toBe(scenarios.length);
    expect(new Set(scenarios.map((s) => s.incident.number)).size).toBe(scenarios.length);
    expect(new Set(scenarios.map((s) => s.incident.nativeId)).size).toBe(scenarios.length);
    expect(new Set(scenarios.map((s) => s.ticket.key)).size).toBe(scenarios.length);
  });

  it('references services, people and runbooks that exist', () => {
    for (const s of scenarios) {
      const svcRefs = [
        s.rootServiceId,
        ...s.affectedServiceIds,
        ...s.alerts.map((a) => a.serviceId),
        ...s.signals.map((g) => g.serviceId),
        ...(s.deploy ? [s.deploy.serviceId] : []),
      ];
      for (const id of svcRefs) expect(serviceById.has(id), `${s.id}: ${id}`).toBe(true);
      // Every part resolves to a person (storyOf throws on an unknown part, person or team).
      const story = storyOf(s);
      const personRefs = [
        story.assigneeId,
        ...(story.commanderId ? [story.commanderId] : []),
        story.ticket.assigneeId,
        story.ticket.reporterId,
        ...story.timeline.flatMap((e) => (e.actorId ? [e.actorId] : [])),
        ...(s.deploy ? [s.deploy.authorId] : []),
      ];
      expect(story.timeline.map((e) => e.message).join(' '), s.id).not.toMatch(/[{}]/);
      for (const id of personRefs) expect(personById.has(id), `${s.id}: ${id}`).toBe(true);
      expect(s.runbookIds.length).toBeGreaterThan(0);
      for (const id of s.runbookIds) expect(runbookById.has(id), `${s.id}: ${id}`).toBe(true);
      expect(s.slackChannel).toMatch(new RegExp(`^#inc-${s.incident.number}-`));
    }
  });

  it('has consistent timing and status', () => {
    for (const s of scenarios) {
      expect(s.timeline.length).toBeGreaterThanOrEqual(5);
      expect(s.timeline.length).toBeLessThanOrEqual(9);
      const times = s.timeline.map((e) => e.minutesAgo);
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(s.triggeredMinutesAgo).toBeLessThanOrEqual(s.startedMinutesAgo);
      expect(s.timeline.some((e) => e.kind === 'triggered' && e.minutesAgo === s.triggeredMinutesAgo)).toBe(true);
      if (s.status === 'triggered') expect(s.acknowledgedMinutesAgo).toBeUndefined();
      if (s.status !== 'triggered') {
        expect(s.acknowledgedMinutesAgo).toBeDefined();
        expect(s.timeline.some((e) => e.kind === 'acknowledged' && e.minutesAgo === s.acknowledgedMinutesAgo)).toBe(true);
      }
      expect(s.status === 'resolved').toBe(s.resolvedMinutesAgo !== undefined);
      expect(s.alerts.length).toBeGreaterThan(0);
      expect(s.signals.length).toBeGreaterThan(0);
    }
    const bad = scenarios.find((s) => s.kind === 'bad-deploy')!;
    expect(bad.deploy).toMatchObject({ serviceId: 'checkout', version: '2.14.0', minutesAgo: 47 });
    expect(bad.deploy!.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(bad.severity).toBe('SEV2');
    expect(bad.status).toBe('acknowledged');
    expect(scenarios.find((s) => s.kind === 'db-saturation')).toMatchObject({ severity: 'SEV1', status: 'triggered' });
  });

  it('uses only known log placeholders', () => {
    const patterns: LogPattern[] = [
      ...Object.values(NORMAL_LOG_PATTERNS).flat(),
      ...services.flatMap((s) => normalLogPatternsFor(s)),
      ...scenarios.flatMap((s) => s.signals.flatMap((g) => g.logPatterns)),
    ];
    const paths = services.flatMap((s) => s.endpoints.map((e) => e.path));
    for (const text of [...patterns.map((p) => p.message), ...paths]) {
      for (const [, name] of text.matchAll(/\{(\w+)\}/g)) {
        expect(LOG_PLACEHOLDERS[name!], `${name} in ${text}`).toBeDefined();
      }
    }
    for (const p of patterns) expect(p.weight).toBeGreaterThan(0);
  });
});

describe('deploy history', () => {
  it('is deterministic, ordered and ends at the running version', () => {
    for (const s of services) {
      const h = deployHistory(s.id);
      expect(deployHistory(s.id)).toEqual(h);
      const prod = h.filter((d) => d.environment === 'production');
      expect(prod.length).toBeGreaterThan(0);
      expect(prod[0]!.version).toBe(s.version);
      expect(prod[0]!.status).toBe('succeeded');
      for (let i = 1; i < h.length; i++) expect(h[i]!.minutesAgo).toBeGreaterThanOrEqual(h[i - 1]!.minutesAgo);
      for (const d of h) {
        expect(d.commitSha).toMatch(/^[0-9a-f]{40}$/);
        expect(personById.has(d.authorId)).toBe(true);
        expect(d.minutesAgo).toBeLessThan(15 * 1440);
      }
      // Versions strictly increase with time in production.
      const cmp = (a: string, b: string) => {
        const pa = a.split('.').map(Number), pb = b.split('.').map(Number);
        for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
        return 0;
      };
      for (let i = 1; i < prod.length; i++) expect(cmp(prod[i - 1]!.version, prod[i]!.version)).toBeGreaterThan(0);
      if (s.kind === 'service' || s.kind === 'frontend') {
        expect(prod.length).toBeGreaterThanOrEqual(14);
        expect(prod.length).toBeLessThanOrEqual(42);
      }
    }
  });

  it('includes the scenario deploy', () => {
    const h = deployHistory('checkout').filter((d) => d.environment === 'production');
    expect(h[0]).toMatchObject({ version: '2.14.0', minutesAgo: 47, authorId: 'jonas-weber', prNumber: 1287 });
    expect(h[1]!.version).toBe('2.13.4');
  });

  it('answers an empty list for unknown services', () => {
    expect(deployHistory('nope')).toEqual([]);
  });
});

describe('random and clock', () => {
  it('is deterministic for the same seed', () => {
    const a = mulberry32(DEMO_SEED), b = mulberry32(DEMO_SEED);
    const sa = Array.from({ length: 20 }, () => a());
    expect(Array.from({ length: 20 }, () => b())).toEqual(sa);
    for (const x of sa) expect(x >= 0 && x < 1).toBe(true);
    const c = mulberry32(DEMO_SEED + 1);
    expect(c()).not.toBe(sa[0]);
    const r1 = rngFor(DEMO_SEED, 'checkout', 42), r2 = rngFor(DEMO_SEED, 'checkout', 42);
    expect([r1(), r1(), r1()]).toEqual([r2(), r2(), r2()]);
    expect(rngFor(DEMO_SEED, 'checkout', 43)()).not.toBe(rngFor(DEMO_SEED, 'checkout', 42)());
  });

  it('hashes with FNV-1a and makes hex ids', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
    expect(hexFor(['x'])).toMatch(/^[0-9a-f]{40}$/);
    expect(hexFor(['x'])).toBe(hexFor(['x']));
    expect(hexFor(['x'], 12)).toHaveLength(12);
  });

  it('draws roughly standard normal samples', () => {
    const rng = mulberry32(7);
    const xs = Array.from({ length: 5000 }, () => gaussian(rng));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(Math.abs(variance - 1)).toBeLessThan(0.08);
    for (const x of xs) expect(Number.isFinite(x)).toBe(true);
  });

  it('anchors minutesAgo on a fixed now', () => {
    const now = demoAnchor();
    expect(demoAnchor().getTime()).toBe(now.getTime());
    expect(now.getTime() - minutesAgo(47).getTime()).toBe(47 * 60_000);
    expect(isoMinutesAgo(0)).toBe(now.toISOString());
  });
});

describe('world variants (OPSORCH_DEMO_WORLD)', () => {
  const base = scenarios.slice(0, 2);
  const extra = { ...base[0]!, id: 'scn-extra', incident: { ...base[0]!.incident, nativeId: 'QEXTRA1', number: 2001 } };

  it('removes, adds and appends without touching the built-in list', () => {
    const alert = { ...base[1]!.alerts[0]!, name: 'NoisyAlert' };
    const changed = applyWorldVariant(base, { remove: [base[0]!.id], add: [extra], append: { [base[1]!.id]: { alerts: [alert] } } });
    expect(changed.map((s) => s.id)).toEqual([base[1]!.id, 'scn-extra']);
    expect(changed[0]!.alerts.at(-1)!.name).toBe('NoisyAlert');
    expect(base[1]!.alerts.some((a) => a.name === 'NoisyAlert')).toBe(false);
  });

  it('tells every variant of the copilot evaluations with people the world knows', () => {
    const dir = join(import.meta.dirname, '..', '..', 'copilot', 'eval', 'worlds');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const changed = applyWorldVariant(BUILT_IN_SCENARIOS, parseYaml(readFileSync(join(dir, file), 'utf8')) as DemoWorldVariant, file);
      // storyOf throws on a part that is not in the cast, an unknown person or team.
      for (const scenario of changed) expect(() => storyOf(scenario), `${file}: ${scenario.id}`).not.toThrow();
    }
  });

  it('names what is wrong', () => {
    expect(() => applyWorldVariant(base, { remove: ['scn-nope'] }, 'w.yaml')).toThrow(/w.yaml: no built-in scenario "scn-nope"/);
    expect(() => applyWorldVariant(base, { add: [{ ...extra, rootServiceId: 'nowhere' }] }, 'w.yaml')).toThrow(/unknown service "nowhere"/);
    expect(() => applyWorldVariant(base, { add: [{ ...extra, incident: base[0]!.incident }] }, 'w.yaml')).toThrow(/reuses the id/);
  });
});
