import type { Actor, ProviderContext } from '../src/context.ts';
import { badInput, notFound } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { ChannelQuery, ChannelRecord, MessageRecord, MessagingProvider, OutgoingMessage } from '../src/spi/messaging.ts';
import { demoAnchor, minutesAgo } from './clock.ts';
import { hexFor } from './random.ts';
import {
  DEMO_SEED,
  deployHistory,
  onCallAt,
  personById,
  personByEmail,
  scenarios,
  servicesOwnedBy,
  storyOf,
  teams,
  type DemoScenario,
  type DemoTeam,
  type ScenarioStory,
} from './world.ts';

const SLACK = 'https://acme-shop.slack.com';
const PAGERDUTY = 'https://acme-shop.pagerduty.com';
const JIRA = 'https://acme-shop.atlassian.net';

interface StoredMessage {
  ts: string;
  authorId: string | null;
  authorName: string;
  text: string;
  postedAt: string;
  /** ts of the thread's first message, when in a thread. */
  threadTs: string | null;
}

interface StoredChannel {
  nativeId: string;
  name: string;
  topic: string | null;
  isIncidentChannel: boolean;
  /** Oldest first, as Slack stores them. */
  messages: StoredMessage[];
}

interface Draft {
  at: Date;
  authorId: string | null;
  authorName: string;
  text: string;
}

/** Slack channel ids are `C` plus upper-case alphanumerics. */
const slackChannelId = (name: string): string => `C${hexFor([DEMO_SEED, 'slack-channel', name], 10).toUpperCase()}`;

/** Slack message ts: epoch seconds, a dot, and six digits that keep messages of the same second apart. */
function slackTs(at: Date, taken: ReadonlySet<string>): string {
  const seconds = Math.floor(at.getTime() / 1000);
  for (let n = 100; ; n++) {
    const ts = `${seconds}.${String(n).padStart(6, '0')}`;
    if (!taken.has(ts)) return ts;
  }
}

const normalizeName = (name: string): string => `#${name.trim().replace(/^#/, '').toLowerCase()}`;

function personDraft(personId: string, at: Date, text: string): Draft {
  const person = personById.get(personId);
  return { at, authorId: person?.email ?? null, authorName: person?.name ?? personId, text };
}

function botDraft(bot: string, at: Date, text: string): Draft {
  return { at, authorId: null, authorName: bot, text };
}

function timelineDraft(e: ScenarioStory['timeline'][number]): Draft | null {
  const at = minutesAgo(e.minutesAgo);
  if (e.actorId) {
    const prefix = e.kind === 'status_update' ? 'Status update: ' : e.kind === 'resolved' ? ':white_check_mark: ' : '';
    return personDraft(e.actorId, at, `${prefix}${e.message}`);
  }
  if (e.kind === 'triggered') return null; // the channel's opening message says it
  if (e.kind === 'alert') return botDraft('Alertmanager', at, `[FIRING] ${e.message}`);
  if (e.kind === 'deploy') return botDraft('Deploy Bot', at, e.message);
  return botDraft('PagerDuty', at, e.message);
}

function incidentChannel(s: DemoScenario): { channel: Omit<StoredChannel, 'messages'>; drafts: Draft[] } {
  const openedAt = minutesAgo(s.triggeredMinutesAgo);
  const drafts: Draft[] = [
    botDraft(
      'PagerDuty',
      openedAt,
      `:rotating_light: Incident #${s.incident.number} (${s.severity}) triggered: ${s.title}. ${PAGERDUTY}/incidents/${s.incident.nativeId}`,
    ),
    ...storyOf(s).timeline.filter((e) => e.minutesAgo <= s.triggeredMinutesAgo).flatMap((e) => timelineDraft(e) ?? []),
    botDraft('Jira', minutesAgo(s.ticket.createdMinutesAgo), `${s.ticket.key} created: ${s.ticket.title} ${JIRA}/browse/${s.ticket.key}`),
  ];
  return {
    channel: {
      nativeId: slackChannelId(s.slackChannel),
      name: s.slackChannel,
      topic: `${s.status === 'resolved' ? 'RESOLVED' : s.severity} | #${s.incident.number} ${s.title} | ${PAGERDUTY}/incidents/${s.incident.nativeId}`,
      isIncidentChannel: true,
    },
    drafts,
  };
}

function teamChannel(team: DemoTeam): { channel: Omit<StoredChannel, 'messages'>; drafts: Draft[] } {
  const anchor = demoAnchor();
  const onCall = onCallAt(team, anchor);
  const primary = personById.get(onCall.personId);
  const drafts: Draft[] = [
    personDraft(
      team.managerId,
      onCall.shiftStart,
      `On-call handoff: ${primary?.name ?? onCall.personId} is primary for ${team.rotation.name} until ${onCall.shiftEnd.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    ),
  ];
  const deploys = servicesOwnedBy(team.id)
    .flatMap((svc) => deployHistory(svc.id))
    .filter((d) => d.environment === 'production' && d.minutesAgo < 1440)
    .sort((a, b) => a.minutesAgo - b.minutesAgo)
    .slice(0, 6);
  for (const d of deploys) {
    const outcome = d.status === 'succeeded' ? 'deployed' : d.status === 'failed' ? 'FAILED to deploy' : 'rolled back';
    drafts.push(botDraft('Deploy Bot', minutesAgo(d.minutesAgo), `${d.serviceId} v${d.version} ${outcome} to production: ${d.commitMessage} (PR #${d.prNumber})`));
  }
  return {
    channel: {
      nativeId: slackChannelId(team.slackChannel),
      name: team.slackChannel,
      topic: `${team.name}: ${team.description} Page on-call with /pd trigger ${team.id}.`,
      isIncidentChannel: false,
    },
    drafts,
  };
}

/** The caller as a chat user: people by email (named as the directory knows them), anything else by its name. */
function author(actor: Actor): { authorId: string | null; authorName: string } {
  const email = /^[^@\s]+@[^@\s]+$/.test(actor.id) ? actor.id.toLowerCase() : null;
  if (email) return { authorId: email, authorName: personByEmail.get(email)?.name ?? actor.name ?? email };
  if (actor.kind === 'anonymous') return { authorId: null, authorName: 'OpsOrch' };
  return { authorId: null, authorName: actor.name ?? actor.id };
}

/** A Slack-like workspace over the demo world: team channels and incident war rooms, writable in memory. */
export class DemoMessagingProvider implements MessagingProvider {
  readonly kind = 'demo';
  private readonly channels = new Map<string, StoredChannel>();

  constructor(readonly instance: string) {
    for (const { channel, drafts } of [...scenarios.map(incidentChannel), ...teams.map(teamChannel)]) {
      const taken = new Set<string>();
      const messages = drafts
        .sort((a, b) => a.at.getTime() - b.at.getTime())
        .map((d) => {
          const ts = slackTs(d.at, taken);
          taken.add(ts);
          return { ts, authorId: d.authorId, authorName: d.authorName, text: d.text, postedAt: d.at.toISOString(), threadTs: null };
        });
      this.channels.set(channel.nativeId, { ...channel, messages });
    }
  }

  private toChannel(c: StoredChannel): ChannelRecord {
    return {
      id: composeId(this.instance, c.nativeId),
      name: c.name,
      topic: c.topic,
      isIncidentChannel: c.isIncidentChannel,
      lastMessageAt: c.messages.at(-1)?.postedAt ?? null,
      url: `${SLACK}/archives/${c.nativeId}`,
      source: { provider: 'demo', instance: this.instance, id: c.nativeId },
    };
  }

  private toMessage(c: StoredChannel, m: StoredMessage): MessageRecord {
    const nativeId = `${c.nativeId}/${m.ts}`;
    const permalink = `${SLACK}/archives/${c.nativeId}/p${m.ts.replace('.', '')}`;
    return {
      id: composeId(this.instance, nativeId),
      channelId: composeId(this.instance, c.nativeId),
      authorId: m.authorId,
      authorName: m.authorName,
      text: m.text,
      postedAt: m.postedAt,
      threadId: m.threadTs ? composeId(this.instance, `${c.nativeId}/${m.threadTs}`) : null,
      url: m.threadTs && m.threadTs !== m.ts ? `${permalink}?thread_ts=${m.threadTs}&cid=${c.nativeId}` : permalink,
      source: { provider: 'demo', instance: this.instance, id: nativeId },
    };
  }

  private stored(id: string): StoredChannel | undefined {
    return this.channels.get(parseId(id, 'channel id').nativeId);
  }

  async getMany(ids: readonly string[], _ctx: ProviderContext): Promise<(ChannelRecord | null)[]> {
    return ids.map((id) => {
      const c = this.stored(id);
      return c ? this.toChannel(c) : null;
    });
  }

  async channelsByName(names: readonly string[], _ctx: ProviderContext): Promise<(ChannelRecord | null)[]> {
    return names.map((name) => {
      const wanted = normalizeName(name);
      const c = [...this.channels.values()].find((ch) => ch.name === wanted);
      return c ? this.toChannel(c) : null;
    });
  }

  async query(filter: ChannelQuery, page: PageRequest, _ctx: ProviderContext): Promise<Page<ChannelRecord>> {
    const text = filter.text?.trim().toLowerCase().replace(/^#/, '');
    const matches = [...this.channels.values()]
      .filter((c) => (!filter.incidentOnly || c.isIncidentChannel) && (!text || `${c.name} ${c.topic ?? ''}`.toLowerCase().includes(text)))
      .map((c) => this.toChannel(c))
      .sort((a, b) => (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? '') || a.name.localeCompare(b.name));
    return pageOfArray(matches, page);
  }

  async messagesForChannels(channelIds: readonly string[], page: PageRequest, _ctx: ProviderContext): Promise<Page<MessageRecord>[]> {
    return channelIds.map((id) => {
      const c = this.stored(id);
      const newestFirst = c ? [...c.messages].reverse().map((m) => this.toMessage(c, m)) : [];
      return pageOfArray(newestFirst, page);
    });
  }

  async sendMessage(message: OutgoingMessage, ctx: ProviderContext): Promise<MessageRecord> {
    const c = this.stored(message.channelId);
    if (!c) throw notFound(`channel "${message.channelId}" does not exist in workspace ${this.instance}; find channels with the channels query`);
    let threadTs: string | null = null;
    if (message.threadId) {
      const { nativeId } = parseId(message.threadId, 'input.threadId');
      const [channelPart, ts] = nativeId.split('/');
      if (channelPart !== c.nativeId) throw badInput(`input.threadId "${message.threadId}" is a message of another channel than ${c.name}; reply in the thread's own channel`);
      const parent = c.messages.find((m) => m.ts === ts);
      if (!parent) throw notFound(`message "${message.threadId}" does not exist in ${c.name}`);
      // Slack threads are one level deep: a reply to a reply joins the same thread.
      threadTs = parent.threadTs ?? parent.ts;
      const root = c.messages.find((m) => m.ts === threadTs)!;
      root.threadTs = root.ts;
    }
    const at = new Date(Math.max(ctx.now.getTime(), Date.parse(c.messages.at(-1)?.postedAt ?? '1970-01-01T00:00:00Z')));
    const stored: StoredMessage = {
      ts: slackTs(at, new Set(c.messages.map((m) => m.ts))),
      ...author(ctx.actor),
      text: message.text,
      postedAt: at.toISOString(),
      threadTs,
    };
    c.messages.push(stored);
    return this.toMessage(c, stored);
  }
}

export function createDemoMessagingProvider(_settings: unknown, deps: ProviderDeps): MessagingProvider {
  return new DemoMessagingProvider(deps.instance);
}
