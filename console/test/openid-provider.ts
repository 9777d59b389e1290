// A real OpenID provider for the console's sign-in tests: oidc-provider (the certified implementation) on a
// loopback port, with a login page, JWT access tokens for the API (audience `opsorch`, the person's email and
// groups in them), refresh tokens, revocation and RP-initiated logout. Tests can end every session at the
// provider (as an administrator disabling a person would) and count refreshes.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Adapter, type AdapterPayload, type KoaContextWithOIDC } from 'oidc-provider';

export interface TestAccount {
  password: string;
  email: string;
  name: string;
  groups: string[];
}

export interface OpenIdProviderOptions {
  accounts: Record<string, TestAccount>;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** Lifetime of access tokens in seconds. */
  accessTokenTtl: number;
  /** The `aud` of access tokens (the gateway's `jwt.audience`). */
  audience: string;
}

/** Every model the provider stores (sessions, grants, codes, tokens), in memory, so a test can end them. */
const stored = new Map<string, Map<string, { payload: AdapterPayload; expiresAt: number }>>();

class MemoryAdapter implements Adapter {
  private readonly items: Map<string, { payload: AdapterPayload; expiresAt: number }>;
  constructor(model: string) {
    this.items = stored.get(model) ?? new Map();
    stored.set(model, this.items);
  }
  async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
    this.items.set(id, { payload, expiresAt: Date.now() + expiresIn * 1000 });
  }
  async find(id: string) {
    const item = this.items.get(id);
    return item && item.expiresAt > Date.now() ? item.payload : undefined;
  }
  async findByUid(uid: string) {
    for (const [id, item] of this.items) if (item.payload.uid === uid) return this.find(id);
    return undefined;
  }
  async findByUserCode(userCode: string) {
    for (const [id, item] of this.items) if (item.payload.userCode === userCode) return this.find(id);
    return undefined;
  }
  async consume(id: string) {
    const item = this.items.get(id);
    if (item) item.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    this.items.delete(id);
  }
  async revokeByGrantId(grantId: string) {
    for (const [id, item] of this.items) if (item.payload.grantId === grantId) this.items.delete(id);
  }
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return new URLSearchParams(text);
}

export async function startOpenIdProvider(options: OpenIdProviderOptions) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const resource = 'https://opsorch.test/api';
  let refreshes = 0;
  let signIns = 0;

  const provider = new Provider(issuer, {
    adapter: MemoryAdapter,
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['opsorch-test-provider-cookie-key'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    // Name, email and groups in the ID token too (the console shows them without a userinfo call).
    conformIdTokenClaims: false,
    async findAccount(_ctx, id) {
      const account = options.accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, email: account.email, email_verified: true, name: account.name, groups: account.groups }) };
    },
    // First-party client: no consent screen (the grant covers what was asked for).
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const grantId = ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile offline_access');
      grant.addResourceScope(resource, 'api');
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: { AccessToken: options.accessTokenTtl, IdToken: 3600, RefreshToken: 86_400, Session: 86_400, Grant: 86_400, Interaction: 600 },
    extraTokenClaims: async (_ctx, token) => {
      const account = options.accounts[(token as { accountId?: string }).accountId ?? ''];
      return account ? { email: account.email, groups: account.groups } : {};
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'api', audience: options.audience, accessTokenFormat: 'jwt', accessTokenTTL: options.accessTokenTtl, jwt: { sign: { alg: 'RS256' } } }),
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Sign out of the test provider?', `${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    if (ctx.oidc.params?.grant_type === 'refresh_token') refreshes++;
  });
  const callback = provider.callback();

  // The login page: the only interaction this provider has (consent is implied for the console).
  async function interaction(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        page(
          'Sign in to the test provider',
          `<form method="post"><label>User <input name="login" autocomplete="username"></label><label>Password <input type="password" name="password"></label><button type="submit">Sign in</button></form>`,
        ),
      );
      return;
    }
    const form = await formBody(req);
    const id = form.get('login') ?? '';
    const account = options.accounts[id];
    if (!account || account.password !== form.get('password')) {
      res.writeHead(401, { 'content-type': 'text/html' }).end(page('Wrong user or password', `<a href="/interaction/${details.uid}">Try again</a>`));
      return;
    }
    signIns++;
    await provider.interactionFinished(req, res, { login: { accountId: id } }, { mergeWithLastSubmission: false });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/favicon.ico') return void res.writeHead(204).end();
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((error: Error) => res.writeHead(500).end(error.message));
      return;
    }
    void callback(req, res);
  });

  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    /** Refresh-token grants answered so far. */
    get refreshes() {
      return refreshes;
    },
    /** People who typed their password so far. */
    get signIns() {
      return signIns;
    },
    /** Ends every session, grant and token at the provider: the next refresh is refused and sign-in asks for the password again. */
    endEverySession() {
      for (const model of ['Session', 'Grant', 'RefreshToken', 'AccessToken', 'AuthorizationCode']) stored.get(model)?.clear();
    },
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
