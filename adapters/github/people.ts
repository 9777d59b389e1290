// GitHub names people by login; OpsOrch by lower-case e-mail. Configured `userEmails` win; otherwise a person is
// their GitHub no-reply address (`<id>+<login>@users.noreply.github.com`), which GitHub itself gives every account.
import type { GhUser } from './api.ts';
import type { GithubSettings } from './settings.ts';

const NOREPLY = /^(\d+)\+([A-Za-z0-9-]+(?:\[bot\])?)@users\.noreply\.github\.com$/i;

export class People {
  private readonly loginByEmail = new Map<string, string>();
  private readonly emailByLogin = new Map<string, string>();

  constructor(settings: GithubSettings) {
    for (const [login, email] of Object.entries(settings.userEmails)) {
      this.emailByLogin.set(login.toLowerCase(), email.toLowerCase());
      this.loginByEmail.set(email.toLowerCase(), login);
    }
  }

  /** The person's OpsOrch id; null for bots (automation is nobody) and absent users. */
  idOf(user: Pick<GhUser, 'login' | 'id' | 'type'> | null | undefined): string | null {
    if (!user || user.type === 'Bot') return null;
    return this.emailByLogin.get(user.login.toLowerCase()) ?? `${user.id}+${user.login}@users.noreply.github.com`.toLowerCase();
  }

  /** The login of an OpsOrch user id, or null when it names no GitHub account OpsOrch knows. */
  loginOf(userId: string): string | null {
    const email = userId.toLowerCase();
    return this.loginByEmail.get(email) ?? NOREPLY.exec(email)?.[2] ?? null;
  }
}
