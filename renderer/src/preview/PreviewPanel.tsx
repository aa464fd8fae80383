// The chat preview beside the editor (or alone in its own tab): one pane, or two in compare mode
// with one message box whose every message goes to both and the first place they part marked.
// "Open preview window" opens the same panel with its own route and conversation: a new tab in
// browser mode, a new window in Electron (main/shell/window-open.ts allows exactly these routes).
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Columns2, ExternalLink, History, Send } from 'lucide-react';
import type { PreviewTraceEvent } from '../../../shared/api';
import { useApi } from '../api/context';
import { routeHash } from '../app/route';
import { Badge, Button, Menu, plural, Toolbar, ToolbarButton, type MenuItem } from '../ui';
import { useTraceLabels, type TraceTexts } from '../trace/useTraceLabels';
import { firstDivergence, sideName } from './divergence';
import { pathOf, type PaneState, type PreviewPath } from './pane-state';
import { PreviewPane } from './PreviewPane';
import { usePreviewPane, type TargetChoice } from './usePreviewPane';
import './preview.css';

export interface PreviewPanelProps {
  name: string;
  /** The editor's current text; null when there is no editor (the preview's own tab). */
  getText: (() => string) | null;
  compare?: boolean;
  initial?: [TargetChoice, TargetChoice];
  /** A trace event was picked: select its node and text. */
  onSelectEvent?: (event: PreviewTraceEvent) => void;
  /** Trace events of this step only (a node clicked on the graph); null: all. */
  stepFilter?: string | null;
  onClearFilter?: () => void;
  /** The first pane's path, for the graph: the steps it went through, the one it is at, and the places it went (for the edges). */
  onPath?: (path: PreviewPath) => void;
}

/** The texts a pane's trace is read in: the one its session ran on, and the others as it would load them. */
function textsOf(state: PaneState | null): TraceTexts {
  const known = state?.procedure && typeof state.procedureText === 'string' ? { name: state.procedure, text: state.procedureText } : null;
  return { known, others: state?.target?.kind === 'version' || state?.target?.kind === 'workspace' ? 'live' : 'draft' };
}

export function PreviewPanel({ name, getText, compare: compareInitially = false, initial, onSelectEvent, onPath, stepFilter = null, onClearFilter }: PreviewPanelProps) {
  const api = useApi();
  const [compare, setCompare] = useState(compareInitially);
  const left = usePreviewPane(api, name, getText, initial?.[0] ?? (getText ? 'text' : 'draft'));
  const right = usePreviewPane(api, name, getText, initial?.[1] ?? 'live');
  const [message, setMessage] = useState('');
  useEffect(() => {
    setCompare(compareInitially);
  }, [compareInitially]);
  useEffect(() => {
    if (initial) {
      left.setChoice(initial[0]);
      right.setChoice(initial[1]);
    }
    // Only when asked again (Compare draft with live from the Procedure screen), not on every render.
  }, [initial]);

  const leftTrace = left.state?.trace;
  const rightTrace = right.state?.trace;
  const idle = !left.state?.status.running && !right.state?.status.running;
  const leftTexts = useMemo(() => textsOf(left.state), [left.state?.procedure, left.state?.procedureText, left.state?.target]);
  const rightTexts = useMemo(() => textsOf(right.state), [right.state?.procedure, right.state?.procedureText, right.state?.target]);
  const leftLabels = useTraceLabels(api, leftTrace ?? [], leftTexts);
  const rightLabels = useTraceLabels(api, rightTrace ?? [], rightTexts);
  const leftName = sideName(left.state?.target);
  const rightName = sideName(right.state?.target);
  const divergence = useMemo(
    () => (compare && leftTrace && rightTrace ? firstDivergence(leftTrace, rightTrace, idle, { left: { name: leftName, labels: leftLabels }, right: { name: rightName, labels: rightLabels } }) : null),
    [compare, leftTrace, rightTrace, idle, leftName, rightName, leftLabels, rightLabels],
  );
  const path = useMemo(() => pathOf(leftTrace ?? []), [leftTrace]);
  useEffect(() => {
    onPath?.(path);
  }, [path, onPath]);

  const [past, setPast] = useState<MenuItem[]>([]);
  const loadPast = () =>
    void api['preview.list']({ limit: 20 }).then(
      (list) =>
        setPast(
          list.map((entry) => ({
            label: `${new Date(entry.startedAt).toLocaleString()} · ${entry.procedure ?? 'workspace'} · ${plural(entry.messages, 'message')}`,
            onSelect: () => left.open(entry.conversationId),
          })),
        ),
      () => setPast([]),
    );

  const panes = compare ? [left, right] : [left];
  const started = panes.every((pane) => pane.state);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = message.trim();
    if (!text || !started) return;
    for (const pane of panes) pane.send(text);
    setMessage('');
  };
  const openWindow = () => {
    // Browser mode keeps the launch token per tab: the new tab takes it from its URL, as the first did.
    const token = window.sessionStorage.getItem('stepwise.token');
    const hash = `${routeHash({ screen: 'preview', name, compare })}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    window.open(`${window.location.pathname}${hash}`, '_blank', 'noopener');
  };

  return (
    <div className="preview-panel" data-testid="preview-panel">
      <div className="preview-panel-head">
        <h2>Preview</h2>
        <span className="spacer" />
        <div onPointerDown={loadPast} onKeyDown={loadPast}>
          <Menu
            label="Past previews"
            trigger={
              <Button size="sm" variant="ghost" icon={History}>
                Past previews
              </Button>
            }
            items={past.length > 0 ? past : [{ label: 'No stored previews yet', onSelect: () => undefined, disabled: true }]}
          />
        </div>
        <Toolbar label="Preview actions">
          <ToolbarButton icon={Columns2} pressed={compare} onClick={() => setCompare((on) => !on)}>
            Compare
          </ToolbarButton>
          <ToolbarButton icon={ExternalLink} onClick={openWindow}>
            Open preview window
          </ToolbarButton>
        </Toolbar>
      </div>
      {divergence && (
        <div className="preview-divergence" role="status">
          <Badge tone="warning">Paths differ</Badge>
          <span data-testid="divergence" title={divergence.full}>
            {divergence.what}
          </span>
        </div>
      )}
      <div className={`preview-panes${compare ? ' preview-comparing' : ''}`}>
        <PreviewPane pane={left} label={compare ? 'Left pane' : 'Preview pane'} withEditor={getText !== null} labels={leftLabels} marked={divergence?.left ?? null} stepFilter={stepFilter} {...(onClearFilter ? { onClearFilter } : {})} {...(onSelectEvent ? { onSelectEvent } : {})} />
        {compare && <PreviewPane pane={right} label="Right pane" withEditor={getText !== null} labels={rightLabels} marked={divergence?.right ?? null} stepFilter={stepFilter} {...(onClearFilter ? { onClearFilter } : {})} {...(onSelectEvent ? { onSelectEvent } : {})} />}
      </div>
      <form className="preview-compose" onSubmit={submit}>
        <label className="sr-only" htmlFor={`preview-message-${name}`}>
          Customer message
        </label>
        <textarea
          id={`preview-message-${name}`}
          className="preview-input"
          rows={2}
          placeholder={started ? (compare ? 'A customer message for both panes…' : 'A customer message…') : 'Start the preview first'}
          value={message}
          disabled={!started}
          onChange={(event) => setMessage(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey) submit(event);
          }}
        />
        <Button type="submit" variant="primary" icon={Send} disabled={!started || !message.trim()}>
          Send
        </Button>
      </form>
    </div>
  );
}
