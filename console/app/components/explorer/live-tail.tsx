// The log explorer's live tail: polls for lines newer than the newest one shown, highlights them, and keeps
// at most MAX_LINES; and the buttons that start, pause and stop it.
import { useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import type { LogLine } from './log-search.ts';

/** Keeps the newest `max` lines of a live list. */
const MAX_LINES = 10_000;
const TAIL_EVERY_MS = 2_000;

export type LiveState = 'off' | 'live' | 'paused';

export function useLiveTail({
  live,
  lines,
  setLines,
  order,
  tailUrl,
  restartOn,
}: {
  live: LiveState;
  lines: LogLine[];
  setLines: Dispatch<SetStateAction<LogLine[]>>;
  order: string;
  /** The tail resource's URL for lines newer than `since`. */
  tailUrl: (since: string) => string;
  /** A new value restarts polling (the search). */
  restartOn: string;
}) {
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [tailNote, setTailNote] = useState<string | null>(null);
  // Live tail: poll for lines newer than the newest one shown; new lines are highlighted.
  const newest = useRef<string | null>(null);
  newest.current = lines.reduce<string | null>((max, l) => (max === null || l.timestamp > max ? l.timestamp : max), null);
  useEffect(() => {
    if (live !== 'live') return;
    let stopped = false;
    const poll = async () => {
      const since = newest.current ?? new Date(Date.now() - 60_000).toISOString();
      try {
        const response = await fetch(tailUrl(since));
        if (!response.ok || stopped) return;
        const tail = (await response.json()) as { lines: LogLine[]; skipped: boolean };
        setTailNote(tail.skipped ? 'More lines arrived than the tail keeps up with: narrow the query to see every one.' : null);
        setLines((current) => {
          const known = new Set(current.map((l) => l.id));
          const added = tail.lines.filter((l) => !known.has(l.id));
          if (!added.length) return current;
          setFresh(new Set(added.map((l) => l.id)));
          const merged = order === 'OLDEST_FIRST' ? [...current, ...added] : [...[...added].reverse(), ...current];
          return merged.length > MAX_LINES ? (order === 'OLDEST_FIRST' ? merged.slice(-MAX_LINES) : merged.slice(0, MAX_LINES)) : merged;
        });
      } catch {
        // The next poll tries again.
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), TAIL_EVERY_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live, restartOn]);
  return { fresh, tailNote };
}

export function LiveControls({ live, onChange: setLive }: { live: LiveState; onChange: (live: LiveState) => void }) {
  return (
    <>
      {live === 'off' ? (
        <button type="button" onClick={() => setLive('live')} data-live="start" title="Poll for new lines every 2 seconds">
          ● Live
        </button>
      ) : live === 'live' ? (
        <>
          <span className="live-dot" aria-hidden /> <span className="small">Live</span>
          <button type="button" onClick={() => setLive('paused')} data-live="pause">
            Pause
          </button>
          <button type="button" onClick={() => setLive('off')}>
            Stop
          </button>
        </>
      ) : (
        <>
          <span className="small muted">Paused</span>
          <button type="button" onClick={() => setLive('live')} data-live="resume">
            Resume
          </button>
          <button type="button" onClick={() => setLive('off')}>
            Stop
          </button>
        </>
      )}
    </>
  );
}
