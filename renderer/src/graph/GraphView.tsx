// The live graph of the Procedure being edited. Laid out by ELK in a worker; typing re-draws it
// without touching the viewport or the selection; the cursor's step is highlighted; clicking a node
// selects its text; the toolbar and dragging edit the text.
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Background, ControlButton, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type Node, type NodeChange } from '@xyflow/react';
import { Maximize } from 'lucide-react';
import '@xyflow/react/dist/style.css';
import './graph.css';
import type { Diagnostic, GraphNode, ProcedureDocument, ProcedureGraph } from '../../../shared/procedure';
import { cursorIds, FlowBuilder, type ProcedureFlowNode } from './flow';
import { FlowIdentity } from './identity';
import { LiveLabels } from './live-labels';
import type { Layout, Placement, Route } from './layout';
import { LayoutClient } from './layout-client';
import { GraphActions, ProcedureNode } from './ProcedureNode';
import { RoutedEdge } from './RoutedEdge';
import { nextNodeId } from './keyboard';
import { childId, NODE_SIZE, placeNewNodes, structureKey, type Expansion } from './structure';
import { collectsByStep } from './view-graph';
import { TooltipProvider } from '../ui/Tooltip';
import { titleSizesKey } from './title-metrics';
import { fitViewport, graphBounds, MIN_ZOOM, startViewport, type Bounds, type Pane } from './fit';

export type GraphAction =
  | { type: 'add-step'; after: string | null }
  | { type: 'add-branch'; conditionId: string }
  | { type: 'rename'; stepId: string }
  | { type: 'delete'; node: GraphNode }
  | { type: 'move'; stepId: string; before: string | null };

export interface GraphViewProps {
  graph: ProcedureGraph;
  /** The parsed text: what each step collects becomes a row of its card. */
  document?: ProcedureDocument;
  cursorLine: number;
  diagnostics: Diagnostic[];
  onReveal(node: GraphNode): void;
  onAction(action: GraphAction): void;
  loadSubgraph(name: string): Promise<ProcedureGraph>;
  onError(message: string): void;
  /** Edges (graph ids) a preview conversation went along, drawn as its path. */
  path?: readonly { from: string; to: string }[];
}

const nodeTypes = { procedure: ProcedureNode };
const edgeTypes = { routed: RoutedEdge };
/** Procedures with more nodes than this get a minimap. */
const MINIMAP_ABOVE = 12;
const LAYOUT_DELAY_MS = 60;
const VIRTUALIZE_ABOVE = 300;
const TYPING_PAUSE_MS = 400;

export const GraphView = memo(function GraphView(props: GraphViewProps) {
  return (
    <ReactFlowProvider>
      <GraphCanvas {...props} />
    </ReactFlowProvider>
  );
});

function GraphCanvas({ graph, document, cursorLine, diagnostics, onReveal, onAction, loadSubgraph, onError, path }: GraphViewProps) {
  const flow = useReactFlow();
  const builder = useRef(new FlowBuilder()).current;
  const identity = useRef(new FlowIdentity()).current;
  const liveLabels = useRef(new LiveLabels()).current;
  const layoutClient = useRef<LayoutClient | null>(null);
  /** By flow id. */
  const [expanded, setExpanded] = useState<ReadonlyMap<string, Expansion>>(new Map());
  /** Flow ids. */
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [layoutVersion, setLayoutVersion] = useState(0);
  const [dragged, setDragged] = useState<{ id: string; x: number; y: number } | null>(null);
  /** By flow id. */
  const sizes = useRef(new Map<string, Placement>());
  /** By flow edge id: ELK's routes of the last layout. */
  const routes = useRef<ReadonlyMap<string, Route>>(new Map());
  const positions = useRef(new Map<string, { x: number; y: number }>());
  const placedGraph = useRef<ProcedureGraph | null>(null);
  const ids = useRef<ReadonlyMap<string, string>>(new Map());
  const laidOutKey = useRef<string | null>(null);
  /** The structure a layout is being computed for: typing meanwhile does not ask again. */
  const requestedKey = useRef<string | null>(null);
  const fitted = useRef(false);
  const lastEdit = useRef(0);
  const container = useRef<HTMLDivElement>(null);

  // New text: nodes keep their flow ids (a renamed step stays the same node) and their places until ELK answers.
  if (placedGraph.current !== graph) {
    lastEdit.current = performance.now();
    ids.current = identity.update(graph);
    positions.current = placeNewNodes(graph, ids.current, positions.current, sizes.current);
    placedGraph.current = graph;
  }
  const flowIds = ids.current;

  /** Expanded sub-procedures by graph id, for the layout. */
  const expandedByGraphId = useMemo(() => {
    const result = new Map<string, Expansion>();
    for (const node of graph.nodes) {
      const expansion = expanded.get(flowIds.get(node.id) ?? node.id);
      if (expansion) result.set(node.id, expansion);
    }
    return result;
  }, [graph, expanded, flowIds]);

  const collectsByText = useMemo(() => collectsByStep(document), [document]);
  const collectsRef = useRef(collectsByText);
  // The same map while the text collects the same things: nothing below changes on other keystrokes.
  if (!sameCollects(collectsRef.current, collectsByText)) collectsRef.current = collectsByText;
  const collects = collectsRef.current;
  // Titles' heights join the layout's key only once typing pauses: a title typed onto another line
  // keeps its node's placed size meanwhile, and on a large Procedure a layout is seconds of a core
  // that would otherwise run under the keystrokes (and measuring every title is work on each one).
  const [titleSizes, setTitleSizes] = useState(() => titleSizesKey(graph));
  useEffect(() => {
    const timer = setTimeout(() => setTitleSizes(titleSizesKey(graph)), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [graph]);
  const key = useMemo(() => `${structureKey(graph, expandedByGraphId, collects)}|${titleSizes}`, [graph, expandedByGraphId, collects, titleSizes]);
  useEffect(() => {
    if (key === laidOutKey.current || key === requestedKey.current) return;
    layoutClient.current ??= new LayoutClient();
    const client = layoutClient.current;
    const requestIds = flowIds;
    const timer = setTimeout(() => {
      requestedKey.current = key;
      container.current?.setAttribute('data-layout', 'pending');
      const applyWhenIdle = (placed: Layout | null) => {
        // Flow ids outlive renames, so a layout of this structure still fits the text typed since.
        if (!placed || requestedKey.current !== key) return;
        // Nodes do not jump around under the cursor: a new layout waits for a pause in typing.
        const idleFor = performance.now() - lastEdit.current;
        if (fitted.current && idleFor < TYPING_PAUSE_MS) {
          setTimeout(() => applyWhenIdle(placed), TYPING_PAUSE_MS - idleFor);
          return;
        }
        apply(placed);
      };
      const apply = (placed: Layout) => {
        requestedKey.current = null;
        laidOutKey.current = key;
        container.current?.setAttribute('data-layout', 'done');
        const toFlow = (graphId: string) => {
          const [parent, child] = graphId.split('::');
          const parentFlow = requestIds.get(parent!) ?? parent!;
          return child === undefined ? parentFlow : childId(parentFlow, child);
        };
        const nextSizes = new Map<string, Placement>();
        const next = new Map(positions.current);
        for (const [id, place] of placed.nodes) {
          nextSizes.set(toFlow(id), place);
          next.set(toFlow(id), { x: place.x, y: place.y });
        }
        const nextRoutes = new Map<string, Route>();
        for (const [edgeKey, route] of placed.routes) {
          const [from, to, n] = edgeKey.split('\u0001');
          nextRoutes.set(`${toFlow(from!)}->${toFlow(to!)}${n === '1' ? '' : `#${n}`}`, route);
        }
        sizes.current = nextSizes;
        positions.current = next;
        routes.current = nextRoutes;
        setLayoutVersion((version) => version + 1);
        if (!fitted.current) {
          fitted.current = true;
          autoView.current = 'start';
          const triggerId = requestIds.get('trigger') ?? 'trigger';
          const trigger = nextSizes.get(triggerId) ?? { ...(next.get(triggerId) ?? { x: 0, y: 0 }), ...NODE_SIZE.trigger };
          const topLevel = [...nextSizes.values()].filter((place) => !place.parent);
          startBox.current = { bounds: graphBounds(topLevel, nextRoutes.values()), trigger, nodes: topLevel.length };
          requestAnimationFrame(() => applyAutoView());
        }
      };
      client.layout(graph, expandedByGraphId, collects).then(
        (placed) => applyWhenIdle(placed),
        (error: Error) => {
          if (requestedKey.current === key) requestedKey.current = null;
          onError(error.message);
        },
      );
    }, laidOutKey.current === null ? 0 : LAYOUT_DELAY_MS);
    return () => clearTimeout(timer);
  }, [key, graph, expandedByGraphId, collects, flowIds, flow, onError]);
  useEffect(() => () => layoutClient.current?.dispose(), []);

  const cursor = useMemo(() => cursorIds(graph, cursorLine), [graph, cursorLine]);
  const errorIds = useMemo(() => {
    const ids = new Set<string>();
    for (const line of new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.span.start.line))) for (const id of cursorIds(graph, line)) ids.add(id);
    return ids;
  }, [diagnostics, graph]);
  const { nodes, edges, live } = useMemo(() => {
    const current = dragged ? new Map(positions.current).set(dragged.id, { x: dragged.x, y: dragged.y }) : positions.current;
    return builder.build({ graph, ids: flowIds, positions: current, sizes: sizes.current, expanded, cursorIds: cursor, errorIds, selected, collects, routes: routes.current, ...(path ? { path } : {}) });
    // layoutVersion says positions.current and routes.current changed.
  }, [builder, graph, flowIds, expanded, cursor, errorIds, selected, dragged, layoutVersion, collects, path]);

  // Labels and highlights go straight to the node components, before the frame is painted.
  useLayoutEffect(() => liveLabels.update(live), [liveLabels, live]);

  /** Graph nodes by flow id. */
  const byId = useMemo(() => new Map(graph.nodes.map((node) => [flowIds.get(node.id) ?? node.id, node])), [graph, flowIds]);

  // Follow the cursor: when it moves to another step that is out of view, pan to it (zoom stays).
  const cursorStepGraphId = graph.nodes.find((node) => node.kind === 'step' && cursor.has(node.id))?.id;
  const cursorStep = cursorStepGraphId ? (flowIds.get(cursorStepGraphId) ?? cursorStepGraphId) : null;
  useEffect(() => {
    if (!cursorStep || !fitted.current) return;
    const frame = requestAnimationFrame(() => {
      const node = flow.getInternalNode(cursorStep);
      const box = container.current?.getBoundingClientRect();
      if (!node || !box) return;
      const { x, y, zoom } = flow.getViewport();
      const width = node.measured.width ?? 200;
      const height = node.measured.height ?? 40;
      const left = node.internals.positionAbsolute.x * zoom + x;
      const top = node.internals.positionAbsolute.y * zoom + y;
      const visible = left >= 0 && top >= 0 && left + width * zoom <= box.width && top + height * zoom <= box.height;
      if (!visible) void flow.setCenter(node.internals.positionAbsolute.x + width / 2, node.internals.positionAbsolute.y + height / 2, { zoom, duration: 150 });
    });
    return () => cancelAnimationFrame(frame);
  }, [cursorStep, flow, layoutVersion]);
  const selectedNode = selected.size === 1 ? byId.get([...selected][0]!) : undefined;

  const onNodesChange = useCallback((changes: NodeChange<ProcedureFlowNode>[]) => {
    let nextSelected: Set<string> | null = null;
    for (const change of changes) {
      if (change.type === 'select') {
        nextSelected ??= new Set(selectedRef.current);
        if (change.selected) nextSelected.add(change.id);
        else nextSelected.delete(change.id);
      } else if (change.type === 'position' && change.position && change.dragging) {
        setDragged({ id: change.id, x: change.position.x, y: change.position.y });
      }
    }
    if (nextSelected) setSelected(nextSelected);
  }, []);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  // Read through a ref, so that the handler (and React Flow's store) stays the same while typing.
  const dragContext = useRef({ byId, graph, onAction, flowIds });
  dragContext.current = { byId, graph, onAction, flowIds };
  const onNodeDragStop = useCallback(
    (event: MouseEvent | TouchEvent, node: Node) => {
      setDragged(null);
      const { byId, graph, onAction, flowIds } = dragContext.current;
      const flowIdOf = (graphId: string) => flowIds.get(graphId) ?? graphId;
      const step = byId.get(node.id);
      if (!step || step.kind !== 'step') return;
      // Where the pointer let go, in graph coordinates: the step goes before the first step below it.
      const pointer = 'changedTouches' in event ? event.changedTouches[0] : event;
      if (!pointer) return;
      const drop = flow.screenToFlowPosition({ x: pointer.clientX, y: pointer.clientY });
      const steps = graph.nodes.filter((candidate) => candidate.kind === 'step');
      const centre = (id: string) => (positions.current.get(flowIdOf(id))?.y ?? 0) + (sizes.current.get(flowIdOf(id))?.height ?? NODE_SIZE.step.height) / 2;
      const before = steps.find((candidate) => candidate.id !== step.id && centre(candidate.id) > drop.y) ?? null;
      const index = steps.indexOf(step);
      const currentNext = steps[index + 1] ?? null;
      if ((before?.id ?? null) === (currentNext?.id ?? null)) return; // dropped where it was
      onAction({ type: 'move', stepId: step.id, before: before?.id ?? null });
    },
    [flow],
  );

  const byIdRef = useRef(byId);
  byIdRef.current = byId;
  const onNodeClick = useCallback(
    (event: { target: EventTarget | null }, node: Node) => {
      // A row of a card reveals its own text: the action, the code, the call.
      const row = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-row-id]') : null;
      const own = byIdRef.current.get(row?.dataset.rowId ?? node.id) ?? byIdRef.current.get(node.id);
      if (own) onReveal(own);
    },
    [onReveal],
  );
  // Keyboard: Tab reaches the nodes (React Flow makes them focusable), the arrow keys go to the
  // previous or next node in document order, Enter reveals the focused node in the editor.
  const onKeyDown = useCallback(
    (event: React.KeyboardEvent<HTMLDivElement>) => {
      const element = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>('.react-flow__node') : null;
      const id = element?.dataset.id;
      if (!element || !id || event.target !== element) return;
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        const own = byIdRef.current.get(id);
        if (own) onReveal(own);
        setSelected(new Set([id]));
        return;
      }
      const order = [...(container.current?.querySelectorAll<HTMLElement>('.react-flow__node') ?? [])].map((node) => node.dataset.id ?? '');
      const next = nextNodeId(order, id, event.key);
      if (!next) return;
      event.preventDefault();
      const target = container.current?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(next)}"]`);
      target?.focus();
      const internal = flow.getInternalNode(next);
      const box = container.current?.getBoundingClientRect();
      if (internal && box) {
        const { x, y, zoom } = flow.getViewport();
        const width = internal.measured.width ?? 200;
        const height = internal.measured.height ?? 40;
        const left = internal.internals.positionAbsolute.x * zoom + x;
        const top = internal.internals.positionAbsolute.y * zoom + y;
        if (left < 0 || top < 0 || left + width * zoom > box.width || top + height * zoom > box.height) {
          void flow.setCenter(internal.internals.positionAbsolute.x + width / 2, internal.internals.positionAbsolute.y + height / 2, { zoom, duration: 150 });
        }
      }
    },
    [flow, onReveal],
  );
  const onPaneClick = useCallback(() => setSelected(new Set()), []);
  // Fit the nodes and the edges, above the strip at the bottom where the controls and the minimap
  // float, so they hide nothing. The pane is measured now: its toolbar may wrap to two rows.
  const minimapShown = useRef(false);
  const paneOf = useCallback((): Pane | null => {
    const pane = container.current?.querySelector<HTMLElement>('.react-flow');
    return pane ? { width: pane.clientWidth, height: pane.clientHeight, bottomStrip: minimapShown.current ? FIT_BOTTOM_MINIMAP : FIT_BOTTOM } : null;
  }, []);
  const fitAll = useCallback(
    (animate = true) => {
      const pane = paneOf();
      const nodes = flow.getNodes().filter((node) => !node.parentId);
      const bounds = graphBounds(
        nodes.map((node) => ({ ...node.position, width: node.width ?? node.measured?.width ?? 0, height: node.height ?? node.measured?.height ?? 0 })),
        routes.current.values(),
      );
      if (!pane || !bounds) return;
      void flow.setViewport(fitViewport(bounds, pane), animate ? { duration: 200 } : undefined);
    },
    [flow, paneOf],
  );
  /** The view the graph keeps by itself, until the user pans or zooms: the opening one, or fit once asked for. */
  const autoView = useRef<'start' | 'fit' | null>(null);
  const startBox = useRef<{ bounds: Bounds | null; trigger: { x: number; y: number; width: number }; nodes: number } | null>(null);
  const applyAutoView = useCallback(() => {
    const pane = paneOf();
    if (!pane || pane.width === 0 || pane.height === 0) return;
    if (autoView.current === 'fit') fitAll(false);
    else if (autoView.current === 'start' && startBox.current?.bounds) void flow.setViewport(startViewport(startBox.current.bounds, startBox.current.trigger, pane, startBox.current.nodes));
  }, [fitAll, flow, paneOf]);
  const onFitClick = useCallback(() => {
    autoView.current = 'fit';
    fitAll();
  }, [fitAll]);
  // The zoom buttons zoom from code, so no move event says a user asked: they end it themselves.
  const endAutoView = useCallback(() => {
    autoView.current = null;
  }, []);
  // A user's own pan or zoom (React Flow passes no event for the viewport set from code) ends it.
  const onMoveStart = useCallback((event: MouseEvent | TouchEvent | null) => {
    if (event) autoView.current = null;
  }, []);
  // The pane resized (the window, the split, the layout of the screen) or its toolbar wrapped to
  // another number of rows: the view the graph keeps is computed again for the new size.
  useEffect(() => {
    const pane = container.current?.querySelector<HTMLElement>('.react-flow');
    if (!pane || typeof ResizeObserver === 'undefined') return;
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => applyAutoView());
    });
    observer.observe(pane);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, [applyAutoView]);

  const expandedRef = useRef(expanded);
  expandedRef.current = expanded;
  const toggleExpand = useCallback(
    (nodeId: string, target: string) => {
      if (expandedRef.current.has(nodeId)) {
        setExpanded((current) => {
          const next = new Map(current);
          next.delete(nodeId);
          return next;
        });
        return;
      }
      loadSubgraph(target).then(
        (subgraph) => setExpanded((current) => new Map(current).set(nodeId, { graph: subgraph })),
        (error: Error) => onError(error.message),
      );
    },
    [loadSubgraph, onError],
  );
  const actions = useMemo(() => ({ toggleExpand, liveLabels }), [toggleExpand, liveLabels]);

  const stepOf = (node: GraphNode | undefined) => (node?.kind === 'step' ? node.id : node?.stepId) ?? null;
  const conditionOf = (node: GraphNode | undefined) => (node?.kind === 'condition' ? node.id : node?.kind === 'branch' ? node.id.replace(/\/b\d+$/, '') : null);
  const lastStep = [...graph.nodes].reverse().find((node) => node.kind === 'step')?.id ?? null;
  const deletable = selectedNode && (selectedNode.kind === 'step' || selectedNode.kind === 'branch');

  const showMinimap = nodes.length > MINIMAP_ABOVE;
  minimapShown.current = showMinimap;

  return (
    <div className="graph graph-canvas" data-testid="graph" ref={container} onKeyDown={onKeyDown}>
      <div className="graph-toolbar" role="toolbar" aria-label="Graph edits">
        <button type="button" onClick={() => onAction({ type: 'add-step', after: stepOf(selectedNode) ?? lastStep })}>
          Add step
        </button>
        <button type="button" disabled={!conditionOf(selectedNode)} onClick={() => onAction({ type: 'add-branch', conditionId: conditionOf(selectedNode)! })}>
          Add branch
        </button>
        <button type="button" disabled={selectedNode?.kind !== 'step'} onClick={() => onAction({ type: 'rename', stepId: selectedNode!.id })}>
          Rename
        </button>
        <button type="button" className="danger" disabled={!deletable} onClick={() => onAction({ type: 'delete', node: selectedNode! })}>
          Delete
        </button>
        <span className="graph-hint">{selectedNode ? `${selectedNode.kind}: ${selectedNode.label}` : 'Select a node to edit it; drag a step to reorder.'}</span>
      </div>
      <GraphActions.Provider value={actions}>
        <TooltipProvider delayDuration={200}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          // Arrow keys go from node to node (onKeyDown above) rather than move the selected one.
          disableKeyboardA11y
          onNodesChange={onNodesChange}
          onNodeClick={onNodeClick}
          onNodeDragStop={onNodeDragStop}
          onPaneClick={onPaneClick}
          onMoveStart={onMoveStart}
          nodesConnectable={false}
          edgesFocusable={false}
          deleteKeyCode={null}
          // Only large graphs draw just what is in view; small ones keep every node in the page.
          onlyRenderVisibleElements={nodes.length > VIRTUALIZE_ABOVE}
          minZoom={MIN_ZOOM}
          maxZoom={2}
        >
          <Background gap={24} size={1} />
          <Controls showInteractive={false} showFitView={false} orientation="horizontal" onZoomIn={endAutoView} onZoomOut={endAutoView}>
            <ControlButton className="react-flow__controls-fitview" onClick={onFitClick} title="Fit view" aria-label="Fit view">
              <Maximize aria-hidden />
            </ControlButton>
          </Controls>
          {showMinimap && <MiniMap pannable zoomable ariaLabel="Minimap of the graph" className="graph-minimap" nodeClassName={minimapClass} nodeStrokeWidth={0} maskColor="var(--graph-minimap-mask)" />}
        </ReactFlow>
        </TooltipProvider>
      </GraphActions.Provider>
    </div>
  );
}

/** Height of the strip the controls (and the minimap) take at the bottom of the panel. */
const FIT_BOTTOM = 52;
const FIT_BOTTOM_MINIMAP = 96;

function minimapClass(node: Node): string {
  return `minimap-${(node.data as { kind?: string }).kind ?? 'step'}`;
}

function sameCollects(a: ReadonlyMap<string, string[]>, b: ReadonlyMap<string, string[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, names] of a) {
    const other = b.get(id);
    if (!other || other.length !== names.length || other.some((name, i) => name !== names[i])) return false;
  }
  return true;
}
