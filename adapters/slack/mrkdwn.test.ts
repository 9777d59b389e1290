// Slack markup both ways: a caller's text cannot ping or link by markup, long text is split at Slack's section
// limit, and Slack's markup reads as plain text.
import { describe, expect, it } from 'vitest';
import { slackError } from './api.ts';
import { flattenMrkdwn, mentionedUsers, messageBlocks } from './mrkdwn.ts';

describe('Slack markup', () => {
  it('escapes what a caller typed, splits sections at 3000 characters and names the sender', () => {
    const blocks = messageBlocks(`<!channel> <@U123> & ${'x'.repeat(3100)}`, 'Maya <ops>') as { type: string; text?: { text: string }; elements?: { text: string }[] }[];
    expect(blocks.map((b) => b.type)).toEqual(['section', 'section', 'context']);
    expect(blocks[0]!.text!.text.startsWith('&lt;!channel&gt; &lt;@U123&gt; &amp; ')).toBe(true);
    expect(blocks[0]!.text!.text).toHaveLength(3000);
    expect(blocks[2]!.elements![0]!.text).toBe('Sent by Maya &lt;ops&gt; via OpsOrch');
    // An entity is never cut at a section's end.
    const split = messageBlocks(`${'y'.repeat(2998)}&z`, 'x') as { text?: { text: string } }[];
    expect(split.slice(0, 2).map((b) => b.text!.text)).toEqual(['y'.repeat(2998), '&amp;z']);
  });

  it('flattens mentions, channels, special mentions, links and entities', () => {
    const names: Record<string, string> = { U0MAYA: 'Maya Patel' };
    const text = '<@U0MAYA> <@U0NOBODY> <#C1|war-room> <#C2> <!here> <!subteam^S1|@sre> <https://a.example|docs> <https://b.example> a &lt;b&gt; &amp; c';
    expect(flattenMrkdwn(text, (id) => names[id])).toBe('@Maya Patel @U0NOBODY #war-room #C2 @here @sre docs (https://a.example) https://b.example a <b> & c');
    expect(mentionedUsers(text)).toEqual(['U0MAYA', 'U0NOBODY']);
  });

  it('maps Slack error codes to OpsOrch codes, with the retry-after of a rate limit', () => {
    expect(slackError('conversations.history', 'not_authed').code).toBe('PROVIDER_AUTH_FAILED');
    expect(slackError('chat.postMessage', 'not_in_channel').message).toContain('invite the OpsOrch app');
    expect(slackError('conversations.history', 'channel_not_found').code).toBe('NOT_FOUND');
    expect(slackError('chat.postMessage', 'msg_too_long').code).toBe('BAD_USER_INPUT');
    const limited = slackError('chat.postMessage', 'ratelimited', new Headers({ 'retry-after': '30' }));
    expect([limited.code, limited.retryAfter]).toEqual(['PROVIDER_RATE_LIMITED', 30]);
    expect(slackError('chat.postMessage', 'fatal_error').code).toBe('PROVIDER_UNAVAILABLE');
  });
});
