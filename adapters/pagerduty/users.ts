// People are joined across tools by e-mail (DESIGN.md); PagerDuty names them by user id. References PagerDuty
// expanded (`include[]=assignees`) carry the e-mail; the others are read once and remembered for ten minutes.
import type { ProviderContext } from '../src/context.ts';
import { badInput, OpsOrchError } from '../src/errors.ts';
import type { PagerDutyApi, PdReference, PdUser } from './api.ts';

const TTL_MS = 10 * 60_000;

export class PagerDutyUsers {
  private readonly emails = new Map<string, { email: string | null; until: number }>();

  constructor(private readonly api: PagerDutyApi) {}

  /** PagerDuty user id → lower-case e-mail (null for bots, services and unknown users). */
  async emailsOf(references: readonly PdReference[], ctx: ProviderContext): Promise<Map<string, string | null>> {
    const now = Date.now();
    const result = new Map<string, string | null>();
    const unknown = new Set<string>();
    for (const ref of references) {
      if (ref.email) {
        result.set(ref.id, ref.email.toLowerCase());
        this.emails.set(ref.id, { email: ref.email.toLowerCase(), until: now + TTL_MS });
      } else if (ref.type !== 'user_reference' && ref.type !== 'user') result.set(ref.id, null);
      else {
        const cached = this.emails.get(ref.id);
        if (cached && cached.until > now) result.set(ref.id, cached.email);
        else unknown.add(ref.id);
      }
    }
    await Promise.all(
      [...unknown].map(async (id) => {
        let email: string | null = null;
        try {
          email = (await this.api.get<{ user: PdUser }>(`/users/${encodeURIComponent(id)}`, {}, ctx)).user.email.toLowerCase();
        } catch (error) {
          if (!(error instanceof OpsOrchError && error.code === 'NOT_FOUND')) throw error;
        }
        this.emails.set(id, { email, until: now + TTL_MS });
        result.set(id, email);
      }),
    );
    return result;
  }

  /** The PagerDuty user id of an e-mail address; BAD_USER_INPUT naming it when PagerDuty has no such user. */
  async idOf(email: string, ctx: ProviderContext): Promise<string> {
    const wanted = email.toLowerCase();
    const { users } = await this.api.get<{ users: PdUser[] }>('/users', { query: wanted, limit: 25 }, ctx);
    const user = users.find((u) => u.email.toLowerCase() === wanted);
    if (!user) throw badInput(`PagerDuty has no user with the e-mail ${email}; assign someone who has a PagerDuty account`);
    this.emails.set(user.id, { email: wanted, until: Date.now() + TTL_MS });
    return user.id;
  }
}
