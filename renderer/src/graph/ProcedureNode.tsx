// How each kind of node looks: the trigger and the terminals (handoff, end) as pills, steps and
// branches as cards holding their contents as rows, conditions as a decision chip. Branches say
// their test in words (conditionWords), with the code one hover away; a test too complex for words
// stays code, in a monospace chip. At low zoom (semantic zoom) cards collapse to their titles,
// drawn large enough to read. A sub-procedure call can expand to show the Procedure it calls.
import { createContext, memo, useContext, useMemo, type ReactNode } from 'react';
import { Handle, Position, useStore, type NodeProps } from '@xyflow/react';
import { Braces, CircleStop, Code2, CornerDownRight, GitFork, Headset, ListChecks, Plug, Split, Workflow, Zap, ChevronDown, ChevronRight, type LucideIcon } from 'lucide-react';
import { conditionWords, type NodeKind } from '../../../shared/procedure';
import type { CardRow, ProcedureFlowNode } from './flow';
import { LiveLabels, useLiveNode } from './live-labels';
import { NODE_SIZE, ROW_HEIGHT, ROWS_PADDING } from './structure';
import { FAR_ZOOM, nodeTitle, titleMetrics, zoomStep } from './title-metrics';
import { Tooltip } from '../ui/Tooltip';

export const GraphActions = createContext<{ toggleExpand(nodeId: string, target: string): void; liveLabels: LiveLabels }>({ toggleExpand: () => {}, liveLabels: new LiveLabels() });

const ICONS: Record<NodeKind, LucideIcon> = {
  trigger: Zap,
  step: ListChecks,
  condition: Split,
  branch: CornerDownRight,
  code: Code2,
  action: Plug,
  subprocedure: Workflow,
  handoff: Headset,
  end: CircleStop,
};

const KIND_LABEL: Record<NodeKind, string> = {
  trigger: 'Trigger',
  step: 'Step',
  condition: 'Condition',
  branch: 'Branch',
  code: 'Python',
  action: 'Action',
  subprocedure: 'Sub-procedure',
  handoff: 'Handoff',
  end: 'End',
};

function ProcedureNodeView({ id, data, selected, height }: NodeProps<ProcedureFlowNode>) {
  const actions = useContext(GraphActions);
  const live = useLiveNode(actions.liveLabels, id);
  const zoom = useStore(zoomStep);
  const label = live?.label ?? '';
  const rows = data.rows ?? [];
  const collects = data.collects ?? [];
  const hasRows = rows.length > 0 || collects.length > 0;
  const nodeHeight = height ?? NODE_SIZE[data.kind].height;
  // The header is what the rows leave of the card (ELK sized the card for its wrapped title).
  const header = hasRows ? nodeHeight - ((rows.length + (collects.length > 0 ? 1 : 0)) * ROW_HEIGHT + ROWS_PADDING) : null;
  const python = data.kind === 'branch' && data.testKind === 'python';
  const words = useMemo(() => (python ? conditionWords(label) : null), [python, label]);
  const far = zoom < FAR_ZOOM;
  const fullTitle = nodeTitle({ kind: data.kind, label, ...(data.testKind ? { test: data.testKind } : {}) }, far);
  const metrics = titleMetrics(data.kind, nodeHeight, zoom, header, fullTitle);
  const classes = ['graph-node', `kind-${data.kind}`, live?.cursor ? 'is-cursor' : '', live?.error ? 'has-error' : '', selected ? 'is-selected' : '', data.foreign ? 'is-foreign' : '', data.expanded ? 'is-expanded' : '', metrics.far ? 'is-far' : '', hasRows ? 'has-rows' : '']
    .filter(Boolean)
    .join(' ');
  const Icon = ICONS[data.kind];
  const code = python ? label.replace(/^`|`$/g, '') : null;
  let title: ReactNode = fullTitle;
  if (python && !words) title = <code className="graph-code-chip">{code}</code>;
  const titleStyle = { fontSize: `${metrics.fontSize}px`, WebkitLineClamp: metrics.lines };
  const headerStyle = header !== null && !metrics.far ? { height: header } : undefined;
  const titleElement = (
    <span className="graph-node-label" data-title style={titleStyle}>
      {title}
    </span>
  );
  return (
    <div className={classes} data-node-id={live?.graphId} data-kind={data.kind} title={python ? undefined : `${KIND_LABEL[data.kind]}: ${label}`}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="graph-node-header" style={headerStyle}>
        {!metrics.far && <Icon className="graph-node-icon" aria-hidden size={14} strokeWidth={2} />}
        {python && code ? (
          <Tooltip content={<code className="graph-tooltip-code">{code}</code>} side="top">
            {titleElement}
          </Tooltip>
        ) : (
          titleElement
        )}
        {data.kind === 'subprocedure' && data.target && !data.foreign && <ExpandButton nodeId={id} target={data.target} expanded={!!data.expanded} />}
      </div>
      {hasRows && !metrics.far && (
        <ul className="graph-rows">
          {collects.length > 0 && (
            <li className="graph-row kind-collect">
              <Braces className="graph-row-icon" aria-hidden size={12} />
              <span className="graph-row-label">Collects {collects.map((name) => name.replace(/_+/g, ' ')).join(', ')}</span>
            </li>
          )}
          {rows.map((row) => (
            <Row key={row.id} row={row} foreign={!!data.foreign} />
          ))}
        </ul>
      )}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

const ROW_ICONS: Partial<Record<NodeKind, LucideIcon>> = { action: Plug, code: Code2, subprocedure: GitFork };

function RowView({ row, foreign }: { row: CardRow; foreign: boolean }) {
  const actions = useContext(GraphActions);
  const live = useLiveNode(actions.liveLabels, row.id);
  const Icon = ROW_ICONS[row.kind] ?? Plug;
  const label = live?.label ?? '';
  return (
    <li className={`graph-row kind-${row.kind}${live?.cursor ? ' is-cursor' : ''}`} data-node-id={live?.graphId} data-row-id={row.id} title={`${KIND_LABEL[row.kind]}: ${label}`}>
      <Icon className="graph-row-icon" aria-hidden size={12} />
      <span className="graph-row-label">{row.kind === 'subprocedure' ? `Runs ${label}` : label}</span>
      {row.kind === 'subprocedure' && !foreign && <ExpandButton nodeId={row.id} target={label} expanded={false} />}
    </li>
  );
}

const Row = memo(RowView);

function ExpandButton({ nodeId, target, expanded }: { nodeId: string; target: string; expanded: boolean }) {
  const actions = useContext(GraphActions);
  const Chevron = expanded ? ChevronDown : ChevronRight;
  return (
    <button
      type="button"
      className="expand nodrag"
      aria-label={expanded ? `Hide ${target}` : `Show ${target}`}
      onClick={(event) => {
        event.stopPropagation();
        actions.toggleExpand(nodeId, target);
      }}
    >
      <Chevron size={14} aria-hidden />
    </button>
  );
}

export const ProcedureNode = memo(ProcedureNodeView);
