// Test code: a strict reader of the JQL subset the adapter writes, used by the contract fake to answer searches and
// by the quoting tests. Every value must be a double-quoted string; anything else is refused as Jira would refuse
// a malformed query, so a value that escaped its quotes fails the test.

export type JqlExpr = { and: JqlExpr[] } | { or: JqlExpr[] } | { field: string; op: '=' | '~' | 'in'; values: string[] };

type Token = { kind: 'string' | 'word' | 'punct'; value: string };

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const ch = jql[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= jql.length) throw new Error('unterminated string');
        const c = jql[i]!;
        if (c === '"') break;
        if (c === '\\') {
          const next = jql[i + 1];
          if (next === undefined) throw new Error('dangling escape');
          if (next === 'n') value += '\n';
          else if (next === 'r') value += '\r';
          else if (next === 't') value += '\t';
          else if (next === 'u') {
            value += String.fromCharCode(Number.parseInt(jql.slice(i + 2, i + 6), 16));
            i += 4;
          } else if (next === '\\' || next === '"') value += next;
          else throw new Error(`unknown escape \\${next}`);
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'string', value });
    } else if ('(),=~'.includes(ch)) {
      tokens.push({ kind: 'punct', value: ch });
      i++;
    } else {
      const word = /^[A-Za-z_][\w.]*/.exec(jql.slice(i))?.[0];
      if (!word) throw new Error(`unexpected "${ch}" at ${i}`);
      tokens.push({ kind: 'word', value: word });
      i += word.length;
    }
  }
  return tokens;
}

export function parseJql(jql: string): { where: JqlExpr | null; orderBy: string } {
  const tokens = tokenize(jql);
  let at = 0;
  const peek = () => tokens[at];
  const take = () => tokens[at++]!;
  const isWord = (w: string) => peek()?.kind === 'word' && peek()!.value.toUpperCase() === w;
  const expect = (value: string) => {
    const t = take();
    if (t?.value !== value) throw new Error(`expected "${value}", got "${t?.value}"`);
  };
  const string = () => {
    const t = take();
    if (t?.kind !== 'string') throw new Error(`expected a quoted value, got ${t?.kind} "${t?.value}"`);
    return t.value;
  };
  const factor = (): JqlExpr => {
    if (peek()?.value === '(' && peek()?.kind === 'punct') {
      take();
      const inner = or();
      expect(')');
      return inner;
    }
    const field = take();
    if (field?.kind !== 'word') throw new Error(`expected a field, got "${field?.value}"`);
    const op = take();
    if (op?.value === '=' || op?.value === '~') return { field: field.value, op: op.value, values: [string()] };
    if (op?.kind === 'word' && op.value.toLowerCase() === 'in') {
      expect('(');
      const values = [string()];
      while (peek()?.value === ',') {
        take();
        values.push(string());
      }
      expect(')');
      return { field: field.value, op: 'in', values };
    }
    throw new Error(`unknown operator "${op?.value}"`);
  };
  const and = (): JqlExpr => {
    const parts = [factor()];
    while (isWord('AND')) {
      take();
      parts.push(factor());
    }
    return parts.length === 1 ? parts[0]! : { and: parts };
  };
  const or = (): JqlExpr => {
    const parts = [and()];
    while (isWord('OR')) {
      take();
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : { or: parts };
  };
  const where = isWord('ORDER') ? null : or();
  let orderBy = '';
  if (isWord('ORDER')) {
    take();
    if (!isWord('BY')) throw new Error('expected BY');
    take();
    orderBy = tokens.slice(at).map((t) => t.value).join(' ');
    at = tokens.length;
  }
  if (at !== tokens.length) throw new Error(`unexpected "${peek()?.value}"`);
  return { where, orderBy };
}

/** Whether an issue (as field → values) matches a parsed JQL condition. */
export function matchesJql(expr: JqlExpr | null, fieldValues: (field: string) => string[]): boolean {
  if (expr === null) return true;
  if ('and' in expr) return expr.and.every((e) => matchesJql(e, fieldValues));
  if ('or' in expr) return expr.or.some((e) => matchesJql(e, fieldValues));
  const have = fieldValues(expr.field).map((v) => v.toLowerCase());
  if (expr.op === '~') {
    const phrase = expr.values[0]!.replace(/\\(.)/g, '$1').toLowerCase();
    return have.some((v) => v.includes(phrase));
  }
  return expr.values.some((v) => have.includes(v.toLowerCase()));
}
