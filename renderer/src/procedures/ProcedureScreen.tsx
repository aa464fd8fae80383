// The Procedure screen: Monaco and the live graph side by side, kept in sync both ways, with save,
// publish, history and diff.
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { Columns2, History, MessagesSquare, Save, Upload } from 'lucide-react';
import type { PreviewTraceEvent, ProcedureDetail } from '../../../shared/api';
import { parse, toGraph, type Diagnostic, type GraphNode } from '../../../shared/procedure';
import { useApi } from '../api/context';
import { navigate, setLeaveGuard } from '../app/navigation';
import { ProcedureEditor, type EditorReady } from '../editor/ProcedureEditor';
import { languageState } from '../editor/procedure-language';
import { GraphView, type GraphAction } from '../graph/GraphView';
import { KnowledgeMentions } from '../knowledge/KnowledgeMentions';
import { NO_PATH, type PreviewPath } from '../preview/pane-state';
import { pathEdges } from '../preview/path-edges';
import { pathStyle } from '../preview/path-style';
import { PreviewPanel } from '../preview/PreviewPanel';
import type { TargetChoice } from '../preview/usePreviewPane';
import { confirmPublish } from '../simulations/publish-gate';
import { SimulationsButton } from '../simulations/SimulationsButton';
import { askChoice, askText, Badge, Banner, Button, showMessage, toast, Toolbar, ToolbarButton, ToolbarSeparator } from '../ui';
import { runGraphAction } from './graph-actions';
import { HistoryPanel } from './HistoryPanel';
import { ProblemsPopover } from './ProblemsPopover';
import { STATUS_TONE, statusLabel } from './ProcedureList';
import { ProcedureSession } from './session';

export function ProcedureScreen({ name }: { name: string }) {
  const api = useApi();
  const [detail, setDetail] = useState<ProcedureDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [session, setSession] = useState<ProcedureSession | null>(null);
  const [showHistory, setShowHistory] = useState(false);
  // The chat preview beside the graph: shown, and in compare mode with which targets.
  const [preview, setPreview] = useState<{ compare: boolean; initial?: [TargetChoice, TargetChoice] } | null>(null);
  const [path, setPath] = useState<PreviewPath>(NO_PATH);
  /** A node clicked on the graph: the preview's trace shows that step's events. */
  const [traceFilter, setTraceFilter] = useState<string | null>(null);
  const detailRef = useRef(detail);
  detailRef.current = detail;

  useEffect(() => {
    api['procedures.get']({ name }).then(setDetail, (caught: Error) => setError(caught.message));
  }, [api, name]);

  // The workspace's connectors, Procedures and teams, for completion, hover and validation.
  useEffect(() => {
    const load = () =>
      api['language.context']({}).then((context) => {
        languageState.context = context;
        sessionRef.current?.revalidate();
      }, () => {});
    void load();
    return api.on('procedures.changed', () => void load());
  }, [api]);
  const sessionRef = useRef(session);
  sessionRef.current = session;

  const onReady = useCallback(
    (ready: EditorReady | null) => {
      if (!ready) {
        setSession((old) => {
          old?.dispose();
          return null;
        });
        return;
      }
      const created = new ProcedureSession(ready.monaco, ready.editor, ready.model, api);
      ready.editor.addCommand(ready.monaco.KeyMod.CtrlCmd | ready.monaco.KeyCode.KeyS, () => void saveRef.current());
      setSession(created);
    },
    [api],
  );

  const save = useCallback(async (): Promise<boolean> => {
    const current = sessionRef.current;
    const known = detailRef.current;
    if (!current || !known) return false;
    try {
      const saved = await api['procedures.saveDraft']({ name: known.name, text: current.model.getValue(), expectedHash: known.draftHash });
      current.markSaved();
      detailRef.current = saved; // what publish goes on to publish, before React renders it
      setDetail(saved);
      if (saved.name !== known.name) {
        setLeaveGuard(null);
        await navigate({ screen: 'procedure', name: saved.name });
      }
      return true;
    } catch (caught) {
      await showMessage('The draft was not saved', (caught as Error).message);
      return false;
    }
  }, [api]);
  const saveRef = useRef(save);
  saveRef.current = save;

  const snapshot = useSyncExternalStore(session?.subscribe ?? noSubscribe, session?.getSnapshot ?? noSnapshot);
  const dirty = snapshot?.dirty ?? false;

  // Guard: leaving the screen (in the app, or closing the tab) with unsaved changes.
  useEffect(() => {
    if (!dirty) return;
    setLeaveGuard(async () => {
      const choice = await askChoice('Unsaved changes', `"${name}" has changes that are not saved.`, [
        { id: 'cancel', label: 'Stay' },
        { id: 'discard', label: 'Discard changes', danger: true },
        { id: 'save', label: 'Save draft', primary: true },
      ]);
      if (choice === 'save') return save();
      return choice === 'discard';
    });
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      setLeaveGuard(null);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [dirty, name, save]);

  const publish = async () => {
    if (!detail) return;
    if (dirty && !(await save())) return;
    // The publish gate: warnings (no simulations, failing or stale ones, placeholders) asked about first.
    try {
      if (!(await confirmPublish(api, (detailRef.current ?? detail).name))) return;
    } catch (caught) {
      return showMessage('Not published', (caught as Error).message);
    }
    const note = await askText(`Publish "${detail.name}"`, 'What changed? (a note for the history)', '', { ok: 'Publish', multiline: true });
    if (note === null) return;
    try {
      // The hash of the draft this screen shows: the engine refuses if someone else changed it.
      const seen = detailRef.current ?? detail;
      const version = await api['procedures.publish']({ name: seen.name, note: note.trim(), expectedHash: seen.draftHash });
      setDetail(await api['procedures.get']({ name: seen.name }));
      // A confirmation, not a question: a toast, so nothing waits on an OK.
      toast({ title: 'Published', description: `Version ${version.version} of "${seen.name}" is live.` });
    } catch (caught) {
      await showMessage('Not published', (caught as Error).message);
    }
  };

  const onReveal = useCallback((node: GraphNode) => {
    sessionRef.current?.reveal(node.span);
    setTraceFilter(node.stepId ?? null);
  }, []);
  const clearTraceFilter = useCallback(() => setTraceFilter(null), []);
  const onRevealProblem = useCallback((diagnostic: Diagnostic) => sessionRef.current?.reveal(diagnostic.span), []);
  const onAction = useCallback((action: GraphAction) => {
    if (sessionRef.current) void runGraphAction(sessionRef.current, action);
  }, []);
  const loadSubgraph = useCallback(async (target: string) => toGraph(parse((await api['procedures.get']({ name: target })).draftText).document), [api]);
  const onGraphError = useCallback((message: string) => setError(message), []);
  const getText = useCallback(() => sessionRef.current?.model.getValue() ?? detailRef.current?.draftText ?? '', []);
  // A trace event picked in the preview: its node (a condition or code node, else its step) and its text.
  const onSelectEvent = useCallback((event: PreviewTraceEvent) => {
    const current = sessionRef.current;
    if (!current) return;
    const nodes = current.getSnapshot()?.analysis.graph.nodes ?? [];
    const nodeId = typeof event.payload.nodeId === 'string' ? event.payload.nodeId : event.stepId;
    const node = nodes.find((candidate) => candidate.id === nodeId) ?? nodes.find((candidate) => candidate.id === event.stepId);
    if (node) current.reveal(node.span);
  }, []);

  // The preview's path as edges of the graph on screen (the trace names places; path-edges.ts finds the edges between them).
  const shownGraph = snapshot?.analysis.graph;
  const graphPath = useMemo(() => (preview && shownGraph ? pathEdges(shownGraph, path.waypoints) : undefined), [preview, shownGraph, path.waypoints]);

  if (!detail) return error ? <p className="error">{error}</p> : <p className="muted">Loading…</p>;
  return (
    <section className="procedure-screen" aria-label={`Procedure ${detail.name}`}>
      <div className="procedure-toolbar">
        <div className="procedure-title">
          <h1 title={detail.name}>{detail.name}</h1>
          <Badge tone={STATUS_TONE[detail.status]} className={`status-${detail.status}`} dot>
            {statusLabel({ status: detail.status, liveVersion: detail.live?.version ?? null })}
          </Badge>
          {detail.subProcedure && (
            <Badge tone="violet" className="sub">
              Sub-procedure
            </Badge>
          )}
          <span className={`save-state ${dirty ? 'dirty' : 'clean'}`} data-testid="save-state" role="status">
            {dirty ? '● Unsaved changes' : 'Saved'}
          </span>
        </div>
        <Toolbar label="Procedure actions" className="procedure-actions">
          <ToolbarButton icon={History} pressed={showHistory} onClick={() => setShowHistory((shown) => !shown)}>
            History
          </ToolbarButton>
          <ToolbarButton icon={MessagesSquare} pressed={preview !== null && !preview.compare} onClick={() => setPreview((shown) => (shown && !shown.compare ? null : { compare: false }))}>
            Preview
          </ToolbarButton>
          <ToolbarButton icon={Columns2} pressed={preview?.compare ?? false} onClick={() => setPreview({ compare: true, initial: [dirty ? 'text' : 'draft', 'live'] })} disabled={!detail.live}>
            Compare draft with live
          </ToolbarButton>
          <SimulationsButton name={detail.name} />
          <ToolbarSeparator />
          <ToolbarButton icon={Save} variant="secondary" onClick={() => void save()} disabled={!dirty} title="Save draft (Ctrl+S)" shortcut="Control+S">
            Save draft
          </ToolbarButton>
          <ToolbarButton icon={Upload} variant="primary" onClick={() => void publish()}>
            Publish…
          </ToolbarButton>
        </Toolbar>
      </div>
      {error && (
        <div className="procedure-banner">
          <Banner
            tone="error"
            action={
              <Button size="sm" variant="ghost" onClick={() => setError(null)}>
                Dismiss
              </Button>
            }
          >
            {error}
          </Banner>
        </div>
      )}
      <div className="procedure-panes">
        <div className="editor-pane">
          <ProcedureEditor text={detail.draftText} onReady={onReady} />
          <div className="status-line" data-testid="status-line">
            <ProblemsPopover diagnostics={snapshot?.diagnostics ?? []} onReveal={onRevealProblem} />
            <KnowledgeMentions version={snapshot?.analysis.version ?? -1} getText={getText} />
            <span className="spacer" />
            <span>line {snapshot?.cursorLine ?? 1}</span>
          </div>
        </div>
        <div className="graph-pane" data-preview-path>
          {preview && <style>{pathStyle('[data-preview-path]', path)}</style>}
          {snapshot && <GraphView graph={snapshot.analysis.graph} document={snapshot.analysis.document} cursorLine={snapshot.cursorLine} diagnostics={snapshot.diagnostics} onReveal={onReveal} onAction={onAction} loadSubgraph={loadSubgraph} onError={onGraphError} {...(graphPath ? { path: graphPath } : {})} />}
        </div>
        {preview && (
          <div className={`preview-side${preview.compare ? ' preview-comparing' : ''}`}>
            <PreviewPanel name={detail.name} getText={getText} compare={preview.compare} {...(preview.initial ? { initial: preview.initial } : {})} onSelectEvent={onSelectEvent} onPath={setPath} stepFilter={traceFilter} onClearFilter={clearTraceFilter} />
          </div>
        )}
      </div>
      {showHistory && <HistoryPanel name={detail.name} live={detail.live?.version ?? null} onClose={() => setShowHistory(false)} />}
    </section>
  );
}

const noSubscribe = () => () => {};
const noSnapshot = () => null;
