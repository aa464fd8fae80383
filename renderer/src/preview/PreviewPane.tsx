// One preview pane: what it talks to, start/reset/stop, the conversation with the reply streaming
// in and queued messages shown, the problems in a banner, and the trace timeline below.
import { useEffect, useRef, useState } from 'react';
import { CircleStop, FlaskConical, Globe, Play, RotateCcw } from 'lucide-react';
import type { PreviewTraceEvent } from '../../../shared/api';
import { navigate } from '../app/navigation';
import { reasonWords } from '../trace/describe-event';
import type { TraceLabels } from '../trace/trace-labels';
import { TraceTimeline } from '../trace/TraceTimeline';
import { askText, Badge, Banner, Button, Popover, Select, toast } from '../ui';
import { useApi } from '../api/context';
import { PaneOptionsPopover } from './PaneOptionsPopover';
import { paneNotice } from './pane-notice';
import { transcriptOf } from './pane-state';
import type { PreviewPaneHandle, TargetChoice } from './usePreviewPane';

const CHOICES: { value: TargetChoice; label: string }[] = [
  { value: 'text', label: "Editor's text (unsaved too)" },
  { value: 'draft', label: 'Saved draft' },
  { value: 'live', label: 'Live version' },
  { value: 'workspace', label: 'Whole workspace (routed)' },
];

export function PreviewPane({ pane, label, withEditor, labels, marked, onSelectEvent, stepFilter = null, onClearFilter }: { pane: PreviewPaneHandle; label: string; withEditor: boolean; labels: TraceLabels; marked: number | null; onSelectEvent?: (event: PreviewTraceEvent) => void; stepFilter?: string | null; onClearFilter?: () => void }) {
  const { state, problem } = pane;
  const transcript = state ? transcriptOf(state.trace) : [];
  const log = useRef<HTMLDivElement>(null);
  // Follow the conversation (scrollTop, not scrollIntoView, which would scroll the panes too).
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [transcript.length, state?.streaming]);
  const outcome = state?.status.outcome;
  const notice = state ? paneNotice(state.status) : null;
  const api = useApi();
  const [world, setWorld] = useState<string | null>(null);
  const showWorld = (open: boolean) => {
    if (!open || !state) return;
    setWorld('Loading…');
    api['preview.world']({ conversationId: state.conversationId }).then(
      (final) => setWorld(final ? `Started from: ${final.startedFrom ?? 'an empty world'}\n${JSON.stringify(final.world, null, 2)}` : 'This conversation has not changed its mock world (or its connectors ran live).'),
      (caught: Error) => setWorld(caught.message),
    );
  };
  const saveAsSimulation = async () => {
    const first = transcript.find((line) => line.role === 'customer')?.text ?? 'Preview';
    const name = await askText('Save as simulation', 'A name for the simulation', first.slice(0, 60), { ok: 'Save' });
    if (!name?.trim()) return;
    const saved = await pane.saveAsSimulation(name.trim());
    if (!saved) return;
    toast({ title: 'Simulation saved', description: `"${saved.name}" of ${saved.procedure}: review its criteria before trusting it.` });
    // It opens for editing, on its Procedure's simulations screen.
    await navigate({ screen: 'simulations', name: saved.procedure });
  };
  return (
    <section className="preview-pane" aria-label={label} data-testid="preview-pane">
      <div className="preview-pane-head">
        <Select size="sm" label={`${label}: talks to`} value={pane.choice} onValueChange={(value) => pane.setChoice(value as TargetChoice)} options={CHOICES.filter((c) => withEditor || c.value !== 'text')} />
        <PaneOptionsPopover label={label} options={pane.options} onChange={pane.setOptions} />
        <Button size="sm" variant="primary" icon={Play} onClick={() => void pane.start()} disabled={pane.starting}>
          {state ? 'Restart' : 'Start'}
        </Button>
        <Button size="sm" variant="ghost" icon={RotateCcw} onClick={pane.reset} disabled={!state}>
          Reset
        </Button>
        <Button size="sm" variant="ghost" icon={CircleStop} onClick={pane.stop} disabled={!state?.status.running}>
          Stop
        </Button>
        <Popover
          label={`${label} final world`}
          onOpenChange={showWorld}
          trigger={
            <Button size="sm" variant="ghost" icon={Globe} disabled={!state || pane.options.connectors === 'live'}>
              World
            </Button>
          }
        >
          <pre className="preview-world" data-testid="preview-world">{world}</pre>
        </Popover>
        <Button size="sm" variant="ghost" icon={FlaskConical} onClick={() => void saveAsSimulation()} disabled={transcript.length === 0 || state?.status.running}>
          Save as simulation
        </Button>
      </div>
      {problem && (
        <Banner
          tone={problem.canRunAnyway ? 'warning' : 'error'}
          title={problem.code === 'no-model' ? 'No model configured' : undefined}
          action={
            problem.code === 'no-model' ? (
              <Button size="sm" variant="secondary" onClick={() => void navigate({ screen: 'settings' })}>
                Open Settings
              </Button>
            ) : problem.canRunAnyway ? (
              <Button size="sm" variant="secondary" onClick={() => void pane.start({ runAnyway: true })}>
                Run anyway
              </Button>
            ) : undefined
          }
        >
          <span className="preview-problem">{problem.message}</span>
        </Banner>
      )}
      {notice && (
        <Banner tone={notice.tone} {...(notice.title ? { title: notice.title } : {})}>
          <span data-testid={notice.tone === 'info' ? 'preview-notice' : 'preview-error'}>{notice.text}</span>
        </Banner>
      )}
      <div className="preview-transcript" role="log" aria-label={`${label} conversation`} ref={log}>
        {!state && !problem && <p className="muted">Pick what this pane talks to, then Start.</p>}
        {transcript.map((line) => (
          <div key={line.index} className={`preview-bubble preview-${line.role}`} data-testid={`bubble-${line.role}`}>
            {line.text}
          </div>
        ))}
        {state?.streaming && (
          <div className="preview-bubble preview-agent preview-streaming" data-testid="bubble-streaming" aria-live="polite">
            {state.streaming}
          </div>
        )}
        {state?.status.queued.map((text, index) => (
          <div key={`q${index}`} className="preview-bubble preview-customer preview-queued" data-testid="bubble-queued">
            {text} <Badge tone="neutral">queued</Badge>
          </div>
        ))}
        {outcome && (
          <div className="preview-outcome" data-testid="preview-outcome">
            <Badge tone={outcome.kind === 'ended' ? 'success' : 'warning'}>{outcome.kind.replace('_', ' ')}</Badge>
            {outcome.team && <span> to {outcome.team}</span>} <span className="muted">{reasonWords(outcome.reason)}</span>
          </div>
        )}
      </div>
      <TraceTimeline events={state?.trace ?? []} labels={labels} marked={marked} stepFilter={stepFilter} {...(onClearFilter ? { onClearFilter } : {})} label={`${label} trace`} {...(onSelectEvent ? { onSelect: onSelectEvent } : {})} />
    </section>
  );
}
