// The log query bar: free text plus field filters, with suggestions for field names (from `logFields`) and,
// after an operator, for the field's values (from `logFieldValues`, fetched as you type).
import { useEffect, useRef, useState } from 'react';
import { formatFilter, tokenAt, type FilterOp } from './log-query.ts';

export interface FieldSummary {
  name: string;
  distinctValues: number;
  topValues: { value: string; count: number }[];
}

interface Suggestion {
  /** What replaces the word at the caret. */
  insert: string;
  label: string;
  detail?: string;
}

const OPS: Record<string, FilterOp> = { '=': 'EQUALS', '!=': 'NOT_EQUALS', '~': 'CONTAINS', '=~': 'REGEX' };

export function QueryBar({
  defaultValue,
  fields,
  suggestUrl,
}: {
  defaultValue: string;
  fields: FieldSummary[];
  /** The value-suggestion endpoint for a field and the typed text (scope and range already in it). */
  suggestUrl: (field: string, text: string) => string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState(defaultValue);
  const [caret, setCaret] = useState(defaultValue.length);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  useEffect(() => setValue(defaultValue), [defaultValue]);

  useEffect(() => {
    if (!open) return;
    const token = tokenAt(value, caret);
    if (!token.field) {
      const partial = token.partial.toLowerCase();
      if (!partial) {
        setSuggestions([]);
        return;
      }
      setSuggestions(
        fields
          .filter((f) => f.name.toLowerCase().includes(partial))
          .slice(0, 12)
          .map((f) => ({ insert: `${f.name}=`, label: f.name, detail: `${f.distinctValues} values` })),
      );
      return;
    }
    const field = token.field;
    const op = OPS[token.op!] ?? 'EQUALS';
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetch(suggestUrl(field, token.partial), { signal: controller.signal, headers: { accept: 'application/json' } })
        .then((r) => (r.ok ? (r.json() as Promise<{ values: { value: string; count: number }[] }>) : { values: [] }))
        .then(({ values }) => setSuggestions(values.map((v) => ({ insert: `${formatFilter({ field, op, value: v.value })} `, label: v.value, detail: `${v.count}` }))))
        .catch(() => undefined);
    }, 120);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [value, caret, open, fields, suggestUrl]);

  const accept = (s: Suggestion) => {
    const token = tokenAt(value, caret);
    const next = value.slice(0, token.start) + s.insert + value.slice(token.end);
    const position = token.start + s.insert.length;
    setValue(next);
    setCaret(position);
    setActive(-1);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(position, position);
    });
  };

  const shown = open ? suggestions : [];
  return (
    <div className="query-bar">
      <input
        ref={input}
        name="q"
        value={value}
        data-search
        autoComplete="off"
        spellCheck={false}
        placeholder='Search text, or filter fields: http.status=500 pod!=checkout-0 http.route~cart trace_id=~"^4b"'
        aria-label="Log query"
        aria-autocomplete="list"
        aria-expanded={shown.length > 0}
        aria-controls="query-suggestions"
        onChange={(e) => {
          setValue(e.target.value);
          setCaret(e.target.selectionStart ?? e.target.value.length);
          setOpen(true);
          setActive(-1);
        }}
        onClick={(e) => setCaret(e.currentTarget.selectionStart ?? value.length)}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (!shown.length) return;
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            const step = e.key === 'ArrowDown' ? 1 : -1;
            setActive((a) => (a + step + shown.length) % shown.length);
          } else if ((e.key === 'Enter' || e.key === 'Tab') && active >= 0) {
            e.preventDefault();
            accept(shown[active]!);
          } else if (e.key === 'Escape') {
            setOpen(false);
          }
        }}
      />
      {shown.length ? (
        <ul className="suggestions" id="query-suggestions" role="listbox" aria-label="Suggestions">
          {shown.map((s, i) => (
            <li key={s.insert} role="option" aria-selected={i === active}>
              <button type="button" className={i === active ? 'active' : undefined} onMouseDown={(e) => e.preventDefault()} onClick={() => accept(s)}>
                <span className="mono">{s.label}</span>
                {s.detail ? <span className="muted small">{s.detail}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
