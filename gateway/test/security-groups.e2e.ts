// A person's groups at the identity provider become scopes through configuration (gateway.auth.jwt.groupScopes):
// the console forwards the signed-in person's token, and what they may do follows their groups.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { gql, startTestGateway } from './harness.ts';
import { bearer, startIdentityProvider, writeGatewayConfig } from './security-fixtures.ts';

const ACKNOWLEDGE = 'mutation Ack($id: ID!, $key: String!) { acknowledgeIncident(id: $id, idempotencyKey: $key) { id } }';
const INCIDENT = '{ incidents(first: 1) { nodes { id } } }';
const DEPLOYS = (environment: string) => `{ deployments(first: 1, filter: { scope: { environment: "${environment}" } }) { nodes { id } } }`;

let gateway: RunningGateway;
let idp: Awaited<ReturnType<typeof startIdentityProvider>>;

beforeAll(async () => {
  idp = await startIdentityProvider();
  const config = writeGatewayConfig({
    auth: {
      jwt: {
        jwksUrl: idp.jwksUrl,
        issuer: idp.issuer,
        audience: idp.audience,
        actorClaim: 'email',
        groupScopes: { sre: ['*:read', 'incidents:write'], viewers: ['*:read'], 'staging-team': ['*:read', 'env:staging'] },
      },
    },
    audit: { sinks: [] },
  });
  gateway = await startTestGateway({ env: { OPSORCH_CONFIG: config } });
});

afterAll(async () => {
  await gateway?.close();
  await idp?.close();
});

it('grants the scopes mapped from the token’s groups, and nothing for unmapped groups', async () => {
  const sre = await idp.sign({ sub: 'u1', email: 'ravi@acme-shop.example', groups: ['sre', 'everyone'], scope: 'openid email' });
  const viewer = await idp.sign({ sub: 'u2', email: 'maya@acme-shop.example', groups: ['viewers'], scope: 'openid email' });
  const nobody = await idp.sign({ sub: 'u3', email: 'guest@acme-shop.example', groups: ['everyone'], scope: 'openid email' });
  const id = (await gql(gateway.url, INCIDENT, undefined, bearer(viewer))).data!.incidents.nodes[0].id as string;

  const acknowledged = await gql(gateway.url, ACKNOWLEDGE, { id, key: `g-${Date.now()}` }, bearer(sre));
  expect(acknowledged.errors).toBeUndefined();

  const refused = await gql(gateway.url, ACKNOWLEDGE, { id, key: `v-${Date.now()}` }, bearer(viewer));
  expect(refused.status).toBe(403);
  expect(refused.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['incidents:write'] });

  const unmapped = await gql(gateway.url, INCIDENT, undefined, bearer(nobody));
  expect(unmapped.errors![0]!.extensions!.missingScopes).toEqual(['incidents:read']);
});

it('limits environments through env: entries of a group', async () => {
  const staging = await idp.sign({ sub: 'u4', email: 'ci@acme-shop.example', groups: ['staging-team'] });
  expect((await gql(gateway.url, DEPLOYS('staging'), undefined, bearer(staging))).errors).toBeUndefined();
  const production = await gql(gateway.url, DEPLOYS('production'), undefined, bearer(staging));
  expect(production.errors![0]!.extensions!.missingScopes).toEqual(['env:production']);
});

it('refuses a mapping that names no scope, at start-up, naming the key', async () => {
  const bad = writeGatewayConfig({ auth: { jwt: { jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: 'opsorch', groupScopes: { sre: ['incidents:admin'] } } } });
  await expect(startTestGateway({ env: { OPSORCH_CONFIG: bad } })).rejects.toThrow(/gateway\.auth\.jwt\.groupScopes\.sre\[0\]: a scope is/);
});
