// The copilot on every page: a button in the sidebar (key `.`) that opens the panel, which loads only then.
// Any page can start an investigation with <InvestigateButton>, which asks the launcher through a DOM event.
import { useLocation } from '@remix-run/react';
import { lazy, Suspense, useEffect, useState } from 'react';
import type { QuestionContext } from '@opsorch/copilot/types';

const CopilotPanel = lazy(() => import('./panel.tsx'));

/** What a page asks the copilot to do (the panel opens and starts at once). */
export interface CopilotRequest {
  question: string;
  context: QuestionContext;
}

const EVENT = 'opsorch:copilot';

export function askCopilot(request: CopilotRequest): void {
  window.dispatchEvent(new CustomEvent<CopilotRequest>(EVENT, { detail: request }));
}

export function CopilotLauncher() {
  const [open, setOpen] = useState(false);
  const [request, setRequest] = useState<CopilotRequest | null>(null);
  const location = useLocation();

  useEffect(() => {
    const onAsk = (event: Event) => {
      setRequest((event as CustomEvent<CopilotRequest>).detail);
      setOpen(true);
    };
    window.addEventListener(EVENT, onAsk);
    return () => window.removeEventListener(EVENT, onAsk);
  }, []);

  return (
    <>
      <button type="button" className="linklike copilot-launcher" data-key="." onClick={() => setOpen((o) => !o)} aria-expanded={open} title="Ask the copilot about this page (.)">
        Copilot <kbd>.</kbd>
      </button>
      {open ? (
        <Suspense fallback={<aside className="copilot-panel" aria-label="Copilot" aria-busy="true" />}>
          <CopilotPanel pathname={location.pathname} search={location.search} request={request} onRequestHandled={() => setRequest(null)} onClose={() => setOpen(false)} />
        </Suspense>
      ) : null}
    </>
  );
}

/** The "Investigate" button of an incident page. */
export function InvestigateButton({ incidentId, number }: { incidentId: string; number: number }) {
  return (
    <button type="button" className="primary" onClick={() => askCopilot({ question: `What is causing #${number}?`, context: { incidentId, page: `/incidents/${encodeURIComponent(incidentId)}` } })}>
      Investigate
    </button>
  );
}
