// The console's settings: sign-in, sessions and kiosk mode are validated at start-up with messages that
// name what to fix, and the shared key is never used without an explicit kiosk mode.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../gateway/test/security-fixtures.ts';
import { loadConsoleSettings } from '../server/settings.ts';

const SECRET = 'a-session-secret-of-at-least-32-characters';

function configFile(consoleSection: Record<string, unknown>): string {
  const path = join(tempDir(), 'opsorch.yaml');
  writeFileSync(path, stringify({ console: consoleSection }));
  return path;
}

const signIn = {
  issuer: 'https://login.example.com/realms/ops',
  clientId: 'opsorch-console',
  clientSecret: 'secret://env/CONSOLE_CLIENT_SECRET',
  redirectUrl: 'https://opsorch.example.com/auth/callback',
};

describe('console settings', () => {
  it('default to no sign-in and no key (the open demo)', async () => {
    const settings = await loadConsoleSettings({});
    expect(settings.signIn).toBeUndefined();
    expect(settings.kiosk).toBeUndefined();
    expect(settings.maxBodyBytes).toBe(1_048_576);
  });

  it('read sign-in from the console: section, resolving the client secret reference', async () => {
    const settings = await loadConsoleSettings({
      OPSORCH_CONFIG: configFile({ signIn, sessions: { secrets: ['secret://env/SESSION_SECRET'] } }),
      CONSOLE_CLIENT_SECRET: 'the-client-secret',
      SESSION_SECRET: SECRET,
    });
    expect(settings.signIn).toMatchObject({ clientSecret: 'the-client-secret', scopes: ['openid', 'profile', 'email', 'offline_access'], refreshBeforeSeconds: 60 });
    expect(settings.sessions.secrets).toEqual([SECRET]);
  });

  it('take the OPSORCH_CONSOLE_* variables over the file', async () => {
    const settings = await loadConsoleSettings({
      OPSORCH_CONFIG: configFile({ signIn }),
      OPSORCH_CONSOLE_OIDC_CLIENT_ID: 'from-env',
      OPSORCH_CONSOLE_SESSION_SECRET: SECRET,
      OPSORCH_CONSOLE_MAX_BODY_BYTES: '65536',
      CONSOLE_CLIENT_SECRET: 'x',
    });
    expect(settings.signIn!.clientId).toBe('from-env');
    expect(settings.maxBodyBytes).toBe(65_536);
  });

  it('refuse the shared key without kiosk mode, and take it with kiosk mode', async () => {
    await expect(loadConsoleSettings({ OPSORCH_CONSOLE_API_KEY: 'oo_key' })).rejects.toThrow(/OPSORCH_CONSOLE_API_KEY is set without OPSORCH_CONSOLE_KIOSK=true/);
    const kiosk = await loadConsoleSettings({ OPSORCH_CONSOLE_API_KEY: 'secret://env/KEY', OPSORCH_CONSOLE_KIOSK: 'true', KEY: 'oo_key' });
    expect(kiosk.kiosk).toEqual({ apiKey: 'oo_key' });
  });

  it('name what to fix', async () => {
    const env = { CONSOLE_CLIENT_SECRET: 'x' };
    await expect(loadConsoleSettings({ ...env, OPSORCH_CONFIG: configFile({ signIn }) })).rejects.toThrow(/console\.sessions\.secrets \(or OPSORCH_CONSOLE_SESSION_SECRET\) is required/);
    await expect(loadConsoleSettings({ ...env, OPSORCH_CONFIG: configFile({ signIn: { ...signIn, clientSecret: 'plain' }, sessions: { secrets: [SECRET] } }) })).rejects.toThrow(
      /clientSecret must be a secret:\/\/ reference/,
    );
    await expect(loadConsoleSettings({ ...env, OPSORCH_CONFIG: configFile({ signIn: { ...signIn, issuer: 'http://login.example.com' }, sessions: { secrets: [SECRET] } }) })).rejects.toThrow(
      /console\.signIn\.issuer: http:\/\/login\.example\.com must use https/,
    );
    await expect(loadConsoleSettings({ OPSORCH_CONFIG: configFile({ signIn: { ...signIn, redirectUrl: 'https://opsorch.example.com/' } }) })).rejects.toThrow(
      /console\.signIn\.redirectUrl: the redirect URL ends with \/auth\/callback/,
    );
    await expect(loadConsoleSettings({ OPSORCH_CONFIG: configFile({ sigIn: signIn }) })).rejects.toThrow(/console\./);
    await expect(loadConsoleSettings({ OPSORCH_CONSOLE_SESSION_SECRET: 'short' })).rejects.toThrow(/OPSORCH_CONSOLE_SESSION_SECRET: a session secret has at least 32 characters/);
  });
});
