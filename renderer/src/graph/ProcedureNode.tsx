// How each kind of node looks: trigger, step, condition, branch, code, action, sub-procedure,
// handoff and end. A sub-procedure node can expand to show the Procedure it calls.
import { createContext, memo, useContext } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { NodeKind } from '../../../shared/procedure';
import type { ProcedureFlowNode } from './flow';
import { LiveLabels, useLiveNode } from './live-labels';

export const GraphActions = createContext<{ toggleExpand(nodeId: string, target: string): void; liveLabels: LiveLabels }>({ toggleExpand: () => {}, liveLabels: new LiveLabels() });

const ICONS: Record<NodeKind, string> = {
  trigger: '⚡',
  step: '',
  condition: '◇',
  branch: '↳',
  code: 'λ',
  action: '⚙',
  subprocedure: '⧉',
  handoff: '☎',
  end: '■',
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

function ProcedureNodeView({ id, data, selected }: NodeProps<ProcedureFlowNode>) {
  const actions = useContext(GraphActions);
  const live = useLiveNode(actions.liveLabels, id);
  const label = live?.label ?? '';
  const classes = ['graph-node', `kind-${data.kind}`, live?.cursor ? 'is-cursor' : '', live?.error ? 'has-error' : '', selected ? 'is-selected' : '', data.foreign ? 'is-foreign' : '', data.expanded ? 'is-expanded' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={classes} data-node-id={live?.graphId} data-kind={data.kind} title={`${KIND_LABEL[data.kind]}: ${label}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="graph-node-header">
        {ICONS[data.kind] && <span className="graph-node-icon">{ICONS[data.kind]}</span>}
        <span className="graph-node-label">{label}</span>
        {data.kind === 'subprocedure' && data.target && !data.foreign && (
          <button
            type="button"
            className="expand nodrag"
            aria-label={data.expanded ? `Hide ${data.target}` : `Show ${data.target}`}
            onClick={(event) => {
              event.stopPropagation();
              actions.toggleExpand(id, data.target!);
            }}
          >
            {data.expanded ? '▾' : '▸'}
          </button>
        )}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

export const ProcedureNode = memo(ProcedureNodeView);
