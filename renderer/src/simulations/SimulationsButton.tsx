// The Procedure screen's way to its simulations: a toolbar button, and a badge with the latest
// suite's result, the auto re-run's after a save ("draft saved") included. The auto re-run pushes
// no event of its own, so after a save the badge looks again for a while until a newer suite ends.
import { useCallback, useEffect, useRef, useState } from 'react';
import { FlaskConical } from 'lucide-react';
import type { SuiteView } from '../../../shared/api';
import { useApi } from '../api/context';
import { navigate } from '../app/navigation';
import { Badge, formatCount, ToolbarButton } from '../ui';

const POLL_MS = 1500;
const POLL_FOR_MS = 120_000;

export function SimulationsButton({ name }: { name: string }) {
  const api = useApi();
  const [suite, setSuite] = useState<SuiteView | null>(null);
  const known = useRef<number>(0);
  known.current = suite?.suiteId ?? 0;
  const load = useCallback(() => api['simulations.latestSuite']({ procedure: name }).then((latest) => (setSuite(latest), latest), () => null), [api, name]);
  useEffect(() => {
    void load();
    let timer: ReturnType<typeof setInterval> | null = null;
    const stop = () => timer !== null && clearInterval(timer);
    const offChanged = api.on('procedures.changed', (change) => {
      if (change.reason !== 'saved' || !change.names.includes(name)) return;
      stop();
      const until = Date.now() + POLL_FOR_MS;
      const before = known.current;
      timer = setInterval(() => {
        void load().then((latest) => {
          if ((latest && latest.suiteId > before && latest.status !== 'running') || Date.now() > until) stop();
        });
      }, POLL_MS);
    });
    const offFinished = api.on('simulations.finished', (event) => event.procedure === name && void load());
    return () => {
      stop();
      offChanged();
      offFinished();
    };
  }, [api, name, load]);

  const failing = suite ? suite.counts.failed + suite.counts.errors : 0;
  const auto = suite?.trigger === 'draft saved';
  return (
    <>
      {suite && suite.status !== 'running' && (
        <Badge tone={failing > 0 ? 'warning' : 'success'} className="sim-latest-badge">
          <span data-testid="simulations-badge" title={auto ? 'The simulations re-ran when the draft was saved' : `Suite ${suite.suiteId}`}>
            {auto ? 'Auto re-run: ' : 'Simulations: '}
            {failing > 0 ? `${formatCount(failing)} of ${formatCount(suite.counts.total)} failing` : `${formatCount(suite.counts.passed)} of ${formatCount(suite.counts.total)} passed`}
          </span>
        </Badge>
      )}
      <ToolbarButton icon={FlaskConical} onClick={() => void navigate({ screen: 'simulations', name })}>
        Simulations
      </ToolbarButton>
    </>
  );
}
