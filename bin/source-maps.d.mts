/** `source` without its source map comment, when that comment is its last line. */
export function withoutSourceMapComment(source: string): string;
