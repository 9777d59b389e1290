// Atlassian Document Format (ADF, https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/):
// the rich text of Jira Cloud descriptions and comments, to and from OpsOrch's plain text.

interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
}

/** Plain text as an ADF document: paragraphs at blank lines, line breaks as hardBreak nodes. */
export function adfFromText(text: string): AdfNode {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '')
    .map((paragraph) => {
      const content: AdfNode[] = [];
      paragraph.split('\n').forEach((line, i) => {
        if (i > 0) content.push({ type: 'hardBreak' });
        if (line !== '') content.push({ type: 'text', text: line });
      });
      return { type: 'paragraph', content };
    });
  return { type: 'doc', version: 1, content: paragraphs } as AdfNode;
}

/** Blocks that end with a blank line (paragraphs, as adfFromText makes them) or a line break (list items, rows). */
const PARAGRAPHS = new Set(['paragraph', 'heading', 'blockquote', 'codeBlock', 'rule', 'panel', 'mediaSingle']);
const LINES = new Set(['listItem', 'tableRow']);

/** An ADF document (or the plain string older fields hold) flattened to text; null when empty. */
export function textFromAdf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  const parts: string[] = [];
  const walk = (node: AdfNode, depth: number) => {
    if (depth > 64 || !node || typeof node !== 'object') return;
    switch (node.type) {
      case 'text':
        parts.push(node.text ?? '');
        return;
      case 'hardBreak':
        parts.push('\n');
        return;
      case 'mention':
      case 'emoji':
      case 'status':
        parts.push(String(node.attrs?.text ?? node.attrs?.shortName ?? ''));
        return;
      case 'inlineCard':
      case 'blockCard':
        parts.push(String(node.attrs?.url ?? ''));
        return;
      case 'date':
        parts.push(node.attrs?.timestamp ? new Date(Number(node.attrs.timestamp)).toISOString().slice(0, 10) : '');
        return;
    }
    for (const child of node.content ?? []) walk(child, depth + 1);
    if (PARAGRAPHS.has(node.type)) parts.push('\n\n');
    else if (LINES.has(node.type)) parts.push('\n');
  };
  walk(value as AdfNode, 0);
  const text = parts.join('').replace(/\n{3,}/g, '\n\n').trim();
  return text === '' ? null : text;
}
