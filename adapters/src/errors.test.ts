import { describe, expect, it } from 'vitest';
import { boundMessage, MAX_MESSAGE_LENGTH } from './errors.ts';

describe('boundMessage', () => {
  it('keeps a message up to the limit whole', () => {
    const message = 'm'.repeat(MAX_MESSAGE_LENGTH);
    expect(boundMessage(message)).toBe(message);
  });

  it('cuts the middle of a longer one and counts what it cut', () => {
    const message = `since "${'x'.repeat(5_000)}" is not a time: use RFC 3339`;
    const bounded = boundMessage(message);
    expect(bounded).toMatch(/^since "x+… \[4,0\d\d characters cut\] …x+" is not a time: use RFC 3339$/);
    const cut = Number(/\[([\d,]+) characters/.exec(bounded)![1]!.replace(',', ''));
    expect(bounded.length - `… [${cut.toLocaleString('en-US')} characters cut] …`.length + cut).toBe(message.length);
  });

  it('never leaves half of a surrogate pair at either edge of the cut', () => {
    for (let shift = 0; shift < 4; shift++) {
      const bounded = boundMessage(`${'a'.repeat(shift)}${'😀'.repeat(2_000)}`, 101);
      // encodeURIComponent throws on a lone surrogate.
      expect(() => encodeURIComponent(bounded)).not.toThrow();
    }
  });
});
