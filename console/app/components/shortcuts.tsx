// Keyboard first: `g` then a letter goes to a page, `j`/`k` walk the rows of a list, `x` selects one,
// Enter opens it, `/` jumps to the page's filter, and any element with `data-key="a"` is pressed by `a`.
import { useNavigate } from '@remix-run/react';
import { useEffect, useState } from 'react';

export const SHORTCUT_HELP: [string, string][] = [
  ['g h / g i / g a', 'Home, Incidents, Alerts'],
  ['g s / g t', 'Services, Teams'],
  ['g d / g k / g r / g u', 'Deployments, Tickets, Runbooks, Runs'],
  ['g l / g m', 'Logs, Metrics (the explorers)'],
  ['/', 'Focus the filter or search box'],
  ['j / k', 'Next / previous row'],
  ['Enter or o', 'Open the selected row'],
  ['x', 'Select the row (bulk actions)'],
  ['a / r / n', 'Page actions shown with a key badge: acknowledge, resolve, note…'],
  ['.', 'Open or close the copilot (it asks about the page you are on)'],
  ['?', 'Show or hide this help'],
  ['Esc', 'Close help, leave a text field'],
];

const GO: Record<string, string> = {
  h: '/',
  i: '/incidents',
  a: '/alerts',
  s: '/services',
  t: '/teams',
  d: '/deployments',
  k: '/tickets',
  r: '/runbooks',
  u: '/runs',
  l: '/explore/logs',
  m: '/explore/metrics',
};

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

function moveCursor(step: number) {
  const rows = [...document.querySelectorAll<HTMLElement>('[data-row]')];
  if (!rows.length) return;
  const current = rows.findIndex((r) => r.classList.contains('cursor'));
  const next = current < 0 ? (step > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, current + step));
  rows[current]?.classList.remove('cursor');
  rows[next]!.classList.add('cursor');
  rows[next]!.scrollIntoView({ block: 'nearest' });
}

export function Shortcuts({ help }: { help: [string, string][] }) {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);

  useEffect(() => {
    let pendingG = 0;
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === 'Escape') {
        setOpen(false);
        if (isTyping(event.target)) (event.target as HTMLElement).blur();
        return;
      }
      if (isTyping(event.target)) return;
      const key = event.key;
      if (pendingG && Date.now() - pendingG < 1500) {
        pendingG = 0;
        const to = GO[key];
        if (to) {
          event.preventDefault();
          navigate(to);
        }
        return;
      }
      if (key === 'g') {
        pendingG = Date.now();
        return;
      }
      if (key === '?') {
        setOpen((o) => !o);
        return;
      }
      if (key === '/') {
        const search = document.querySelector<HTMLInputElement>('[data-search]');
        if (search) {
          event.preventDefault();
          search.focus();
          search.select();
        }
        return;
      }
      if (key === 'j' || key === 'k') {
        event.preventDefault();
        moveCursor(key === 'j' ? 1 : -1);
        return;
      }
      const row = document.querySelector<HTMLElement>('[data-row].cursor');
      if ((key === 'Enter' || key === 'o') && row) {
        row.querySelector<HTMLAnchorElement>('a[data-row-link]')?.click();
        return;
      }
      if (key === 'x' && row) {
        row.querySelector<HTMLInputElement>('input[type=checkbox]')?.click();
        return;
      }
      const target = document.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
      if (target) {
        event.preventDefault();
        if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) target.focus();
        else target.click();
      }
    };
    const onClick = (event: MouseEvent) => {
      if ((event.target as HTMLElement | null)?.closest('[data-shortcut-help]')) setOpen((o) => !o);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('click', onClick);
    // Shortcuts work from here on (tests wait for this instead of guessing when hydration ended).
    document.documentElement.dataset.shortcuts = 'on';
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('click', onClick);
    };
  }, [navigate]);

  if (!open) return null;
  return (
    <div className="help-overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={() => setOpen(false)}>
      <div className="help-card" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {help.map(([keys, what]) => (
              <tr key={keys}>
                <td>
                  <kbd>{keys}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
