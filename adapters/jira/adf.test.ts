// Atlassian Document Format to and from plain text: paragraphs and line breaks round-trip, rich nodes read as text.
import { describe, expect, it } from 'vitest';
import { adfFromText, textFromAdf } from './adf.ts';

describe('ADF', () => {
  it('round-trips paragraphs and line breaks', () => {
    const text = 'First line\nsecond line\n\nSecond paragraph';
    expect(textFromAdf(adfFromText(text))).toBe(text);
    expect(adfFromText('')).toEqual({ type: 'doc', version: 1, content: [] });
    expect(textFromAdf(adfFromText('\n\n'))).toBeNull();
  });

  it('reads mentions, emoji, links, lists and headings as text, and plain strings as they are', () => {
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Impact' }] },
        { type: 'paragraph', content: [{ type: 'mention', attrs: { id: '5b10', text: '@Maya Patel' } }, { type: 'text', text: ' saw ' }, { type: 'emoji', attrs: { shortName: ':fire:' } }] },
        { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'one' }] }] }, { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'inlineCard', attrs: { url: 'https://x.example' } }] }] }] },
      ],
    };
    expect(textFromAdf(doc)).toBe('Impact\n\n@Maya Patel saw :fire:\n\none\n\nhttps://x.example');
    expect(textFromAdf('plain')).toBe('plain');
    expect(textFromAdf(null)).toBeNull();
  });
});
