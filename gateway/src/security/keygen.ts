import { generateApiKey } from './keys.ts';

/**
 * `opsorch keygen [name]`: a new API key, shown once, and the configuration entry holding only its hash.
 * The key goes to the client (a secret store, the MCP client's settings); the entry to OPSORCH_CONFIG.
 */
export function keygenOutput(name = 'my-client'): string {
  const { key, hash } = generateApiKey();
  return `API key (shown once; store it where the client reads it):
  ${key}

Add to the gateway: section of OPSORCH_CONFIG:
  auth:
    apiKeys:
      - name: ${name}
        hash: ${hash}
        scopes: ["*:read"]          # e.g. incidents:read, incidents:write, *:read, *
        environments: ["*"]         # e.g. [staging]
        actor: service              # user | agent | service

Clients send it as "Authorization: Bearer <key>" (or "X-API-Key: <key>").
`;
}
