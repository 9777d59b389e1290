// Environment isolation of objects reached by id (decision 014): a credential limited to staging neither sees
// nor changes a production object, however it names it — by id, through a federation entity reference, a nested
// field or a write — and cannot tell it from an object that does not exist. Every such denial is audited.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { gql, startTestGateway } from './harness.ts';
import { apiKey, auditLinesOf, bearer, tempDir, writeGatewayConfig } from './security-fixtures.ts';

const PRODUCTION_INCIDENT = 'demo:Q5TJ2NB';
const MISSING_INCIDENT = 'demo:QNOSUCH';

describe('environment isolation of objects by id', () => {
  let gateway: RunningGateway;
  let auditFile: string;
  const staging = apiKey('staging-ci', ['*'], { environments: ['staging'], actor: 'service' });
  const ops = apiKey('ops', ['*']);
  const twoEnvironments = apiKey('pre-production', ['*:read'], { environments: ['staging', 'development'] });
  const asStaging = bearer(staging.key);
  const asOps = bearer(ops.key);
  const ids = { productionDeploy: '', stagingDeploy: '', productionAlert: '', stagingAlert: '', ticket: '' };

  const audit = () => auditLinesOf(auditFile);

  beforeAll(async () => {
    const dir = tempDir();
    auditFile = join(dir, 'audit.jsonl');
    const config = writeGatewayConfig({ auth: { apiKeys: [staging.entry, ops.entry, twoEnvironments.entry] }, audit: { sinks: [{ type: 'file', path: auditFile }] } }, dir);
    gateway = await startTestGateway({ env: { OPSORCH_CONFIG: config } });
    const seen = await gql(
      gateway.url,
      `{ production: deployments(first: 1, filter: { scope: { environment: "production" } }) { nodes { id } }
         staging: deployments(first: 1, filter: { scope: { environment: "staging" } }) { nodes { id } }
         alerts(first: 100) { nodes { id labels { name value } } }
         tickets(first: 100) { nodes { id incident { id } } } }`,
      undefined,
      asOps,
    );
    expect(seen.errors).toBeUndefined();
    const envOf = (a: { labels: { name: string; value: string }[] }) => a.labels.find((l) => l.name === 'env')?.value;
    ids.productionDeploy = seen.data.production.nodes[0].id;
    ids.stagingDeploy = seen.data.staging.nodes[0].id;
    ids.productionAlert = seen.data.alerts.nodes.find((a: any) => envOf(a) === 'production').id;
    ids.stagingAlert = seen.data.alerts.nodes.find((a: any) => envOf(a) === 'staging').id;
    ids.ticket = seen.data.tickets.nodes.find((t: any) => t.incident?.id === PRODUCTION_INCIDENT).id;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers a production object read by id as if it did not exist, and the staging one as it is', async () => {
    const read = `query Read($incident: ID!, $deploy: ID!, $alert: ID!) {
      incident(id: $incident) { id title timeline { nodes { message } } }
      deployment(id: $deploy) { id environment }
      alert(id: $alert) { id name }
    }`;
    const production = await gql(gateway.url, read, { incident: PRODUCTION_INCIDENT, deploy: ids.productionDeploy, alert: ids.productionAlert }, asStaging);
    const missing = await gql(gateway.url, read, { incident: MISSING_INCIDENT, deploy: 'demo:no-such-deploy', alert: 'demo:no-such-alert' }, asStaging);
    expect(production.errors).toBeUndefined();
    expect(production.data).toEqual({ incident: null, deployment: null, alert: null });
    expect(production).toEqual(missing);

    const own = await gql(gateway.url, read, { incident: MISSING_INCIDENT, deploy: ids.stagingDeploy, alert: ids.stagingAlert }, asStaging);
    expect(own.data.deployment).toEqual({ id: ids.stagingDeploy, environment: 'staging' });
    expect(own.data.alert.id).toBe(ids.stagingAlert);

    // A credential for every environment still reads production.
    const opsView = await gql(gateway.url, read, { incident: PRODUCTION_INCIDENT, deploy: ids.productionDeploy, alert: ids.productionAlert }, asOps);
    expect(opsView.data.incident.id).toBe(PRODUCTION_INCIDENT);
    expect(opsView.data.deployment.environment).toBe('production');
  });

  it('hides production objects reached through entity references and nested fields', async () => {
    const nested = await gql(
      gateway.url,
      `query Nested($ticket: ID!) { ticket(id: $ticket) { id incident { id title timeline { nodes { message } } alerts { id } tickets { id } } } }`,
      { ticket: ids.ticket },
      asStaging,
    );
    expect(nested.errors).toBeUndefined();
    // Tickets belong to no environment (lists show them to every credential); the production incident does.
    expect(nested.data.ticket).toEqual({ id: ids.ticket, incident: null });
  });

  it('leaves production out of nested lists for a credential of several environments that names none', async () => {
    const services = '{ services(first: 30) { nodes { id alerts(first: 50) { nodes { id labels { name value } } } } } }';
    const all = await gql(gateway.url, services, undefined, asOps);
    expect(all.errors).toBeUndefined();
    const everyAlert = all.data.services.nodes.flatMap((s: any) => s.alerts.nodes);
    expect(everyAlert.some((a: any) => a.id === ids.productionAlert)).toBe(true);
    const visible = await gql(gateway.url, services, undefined, bearer(twoEnvironments.key));
    expect(visible.errors).toBeUndefined();
    const alerts = visible.data.services.nodes.flatMap((s: any) => s.alerts.nodes);
    expect(alerts.map((a: any) => a.id)).toContain(ids.stagingAlert);
    for (const alert of alerts) expect(alert.labels.find((l: any) => l.name === 'env').value).not.toBe('production');

    // Health computed from alerts counts only the caller's environments (api-gateway's one alert is production's).
    const health = '{ service(id: "api-gateway") { health { firingAlerts } } }';
    expect((await gql(gateway.url, health, undefined, asOps)).data.service.health.firingAlerts).toBeGreaterThan(0);
    expect((await gql(gateway.url, health, undefined, asStaging)).data.service.health.firingAlerts).toBe(0);
  });

  it('refuses every write on a production object with the answer a missing object gets, and changes nothing', async () => {
    const before = await gql(gateway.url, `{ incident(id: "${PRODUCTION_INCIDENT}") { status timeline(first: 200) { nodes { id } } } }`, undefined, asOps);
    const writes = [
      `mutation { resolveIncident(id: "$ID", resolution: "staging says so") { id } }`,
      `mutation { acknowledgeIncident(id: "$ID") { id } }`,
      `mutation { addIncidentNote(incidentId: "$ID", body: "written from staging") { id } }`,
      `mutation { updateIncident(id: "$ID", input: { severity: SEV5 }) { id } }`,
      `mutation { createTicket(input: { title: "follow-up", incidentId: "$ID" }) { id } }`,
      `mutation { startRunbookRun(runbookId: "demo:rb-rollback-deploy", input: { incidentId: "$ID" }) { id } }`,
    ];
    for (const write of writes) {
      const hidden = await gql(gateway.url, write.replace('$ID', PRODUCTION_INCIDENT), undefined, asStaging);
      const missing = await gql(gateway.url, write.replace('$ID', MISSING_INCIDENT), undefined, asStaging);
      expect(hidden.data, write).toBeNull();
      expect(hidden.errors![0]!.extensions!.code, write).toBe('NOT_FOUND');
      expect(hidden.errors![0]!.message.replace(PRODUCTION_INCIDENT, 'ID'), write).toBe(missing.errors![0]!.message.replace(MISSING_INCIDENT, 'ID'));
    }
    for (const write of [`mutation { acknowledgeAlert(id: "$ID") { id } }`, `mutation { silenceAlert(id: "$ID", duration: "1h") { id } }`]) {
      const hidden = await gql(gateway.url, write.replace('$ID', ids.productionAlert), undefined, asStaging);
      expect(hidden.errors![0]!.extensions!.code, write).toBe('NOT_FOUND');
      expect(hidden.errors![0]!.message, write).toBe(`alert "${ids.productionAlert}" not found`);
    }
    const after = await gql(gateway.url, `{ incident(id: "${PRODUCTION_INCIDENT}") { status timeline(first: 200) { nodes { id } } } }`, undefined, asOps);
    expect(after.data).toEqual(before.data);

    // The same key acts on its own environment.
    const ownAlert = await gql(gateway.url, `mutation { silenceAlert(id: "${ids.stagingAlert}", duration: "1h") { silencedUntil } }`, undefined, asStaging);
    expect(ownAlert.errors).toBeUndefined();
    expect(ownAlert.data.silenceAlert.silencedUntil).not.toBeNull();
  });

  it('creates incidents only in an environment of the credential, and then sees and acts on them', async () => {
    const create = 'mutation($env: String) { createIncident(input: { title: "Staging checkout broken", serviceId: "checkout", severity: SEV3, environment: $env }) { id environment } }';
    const production = await gql(gateway.url, create, { env: 'production' }, asStaging);
    expect(production.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', missingScope: 'env:production' });
    const unnamed = await gql(gateway.url, create, {}, asStaging);
    expect(unnamed.errors![0]!.extensions!.code).toBe('FORBIDDEN');

    const created = await gql(gateway.url, create, { env: 'staging' }, asStaging);
    expect(created.errors).toBeUndefined();
    const id = created.data.createIncident.id as string;
    expect(created.data.createIncident.environment).toBe('staging');
    const resolved = await gql(gateway.url, `mutation { resolveIncident(id: "${id}") { status } }`, undefined, asStaging);
    expect(resolved.data.resolveIncident.status).toBe('RESOLVED');
    const listed = await gql(gateway.url, '{ incidents(first: 200, filter: { scope: { environment: "staging" } }) { nodes { id } } }', undefined, asStaging);
    expect(listed.data.incidents.nodes.map((n: { id: string }) => n.id)).toEqual([id]);
  });

  it('audits every hidden read and refused write as a denial, naming the object and its environment', async () => {
    await gql(gateway.url, `query Peek { incident(id: "${PRODUCTION_INCIDENT}") { id } }`, undefined, asStaging);
    await gql(gateway.url, `mutation Sneak { acknowledgeIncident(id: "${PRODUCTION_INCIDENT}") { id } }`, undefined, asStaging);
    await vi.waitFor(() => expect(audit().filter((l) => ['Peek', 'Sneak'].includes(l.operation.name))).toHaveLength(2));
    const [peek, sneak] = audit().filter((l) => ['Peek', 'Sneak'].includes(l.operation.name));
    for (const [line, action] of [[peek!, 'read'], [sneak!, 'write']] as const) {
      expect(line).toMatchObject({ actor: { kind: 'service', id: 'staging-ci' }, outcome: 'denied' });
      const denial = line.errors.find((e: { reason?: string }) => e.reason === 'ENVIRONMENT_ISOLATION');
      expect(denial.message).toBe(`${action} of incidents ${PRODUCTION_INCIDENT} (environment production) refused: not among the credential's environments`);
    }
  });
});
