// Slack's message markup both ways: what people typed becomes Block Kit with their text escaped (so `<!channel>`
// typed by a caller never pings a channel), and Slack's markup is flattened to the plain text the schema promises.

/** `&`, `<` and `>` as Slack's mrkdwn wants them escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Slack caps a section's text at 3000 characters. */
const SECTION_MAX = 3000;

/**
 * The blocks of a message sent from OpsOrch: the text in sections (split at the section limit) and a context line
 * naming who sent it, since a bot token posts as the app.
 */
export function messageBlocks(text: string, sentBy: string): unknown[] {
  const escaped = escapeMrkdwn(text);
  const sections: unknown[] = [];
  for (let start = 0; start < escaped.length; ) {
    let end = Math.min(escaped.length, start + SECTION_MAX);
    // Never cut an entity (`&amp;`, `&lt;`, `&gt;`) in two.
    const amp = escaped.lastIndexOf('&', end - 1);
    if (end < escaped.length && amp > end - 5 && amp >= start && !escaped.slice(amp, end).includes(';')) end = amp;
    sections.push({ type: 'section', text: { type: 'mrkdwn', text: escaped.slice(start, end) } });
    start = end;
  }
  return [...sections, { type: 'context', elements: [{ type: 'mrkdwn', text: `Sent by ${escapeMrkdwn(sentBy)} via OpsOrch` }] }];
}

/** The user ids a message mentions (`<@U123>`), to name them. */
export function mentionedUsers(text: string): string[] {
  return [...text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>/g)].map((m) => m[1]!);
}

/** Slack markup as plain text: mentions by name, channel links by name, links as their label and URL, entities decoded. */
export function flattenMrkdwn(text: string, userName: (id: string) => string | undefined): string {
  const flat = text.replace(/<([^<>]*)>/g, (_, inner: string) => {
    const bar = inner.indexOf('|');
    const target = bar === -1 ? inner : inner.slice(0, bar);
    const label = bar === -1 ? null : inner.slice(bar + 1);
    if (target.startsWith('@')) return `@${label ?? userName(target.slice(1)) ?? target.slice(1)}`;
    if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
    if (target.startsWith('!subteam^')) return label ?? '@team';
    if (target.startsWith('!')) return `@${label ?? target.slice(1).split('^')[0]}`;
    return label && label !== target ? `${label} (${target})` : target;
  });
  return flat.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}
