// A Procedure prepared for the runtime: its steps in order, the graph ids of every node (the same
// ids the editor's graph and the trace use), and what it names (actions, teams, sub-procedures).
import {
  IMPLICIT_END_ID,
  parse,
  toGraph,
  type AttributeDecl,
  type Block,
  type Branch,
  type CodeBlock,
  type Condition,
  type InlineRef,
  type ProcedureDocument,
  type Step,
} from '../../shared/procedure';

export interface CompiledProcedure {
  name: string;
  /** Content hash of the published version, or `draft`. */
  version: string;
  text: string;
  document: ProcedureDocument;
  trigger: string | null;
  subProcedure: boolean;
  attributes: AttributeDecl[];
  steps: Step[];
  /** Every graph node inside a step (code, conditions, branches, actions…), in document order: the ids the prompt compacts. */
  nodes: readonly { id: string; stepId: string }[];
  /** Graph id of a node (branch, code, action…), keyed by the offset where its source starts. */
  idAt(offset: number): string | undefined;
  /** Graph id of a condition, keyed by the offset of its first branch header. */
  conditionIdAt(offset: number): string | undefined;
  stepById(id: string): Step | undefined;
  /** `connector.action` names this Procedure may call. */
  actions: Set<string>;
  /** Teams it may hand off to: lower case → as written. */
  teams: Map<string, string>;
  /** Where escalations go while it is active (front matter `escalation:`): reason or `default` → team. */
  escalation: ReadonlyMap<string, string>;
  /** Procedures it calls with [[…]] or switches to with @switch. */
  calls: Set<string>;
  switches: Set<string>;
}

export function compileProcedure(text: string, version: string): CompiledProcedure {
  const { document } = parse(text);
  const graph = toGraph(document);
  const ids = new Map<number, string>();
  // A condition starts where its first branch header does, so conditions get a map of their own.
  const conditionIds = new Map<number, string>();
  const nodes: { id: string; stepId: string }[] = [];
  for (const node of graph.nodes) {
    if (node.stepId !== undefined && node.id !== node.stepId) nodes.push({ id: node.id, stepId: node.stepId });
    if (node.kind === 'condition') conditionIds.set(node.span.start.offset, node.id);
    else if (node.kind !== 'trigger' && node.id !== IMPLICIT_END_ID) ids.set(node.span.start.offset, node.id);
  }

  const actions = new Set<string>();
  const teams = new Map<string, string>();
  const calls = new Set<string>();
  const switches = new Set<string>();
  const visit = (ref: InlineRef) => {
    if (ref.kind === 'action') actions.add(`${ref.connector}.${ref.action}`);
    else if (ref.kind === 'handoff') teams.set(ref.team.toLowerCase(), ref.team);
    else if (ref.kind === 'subprocedure') calls.add(ref.name);
    else if (ref.kind === 'switch') switches.add(ref.name);
  };
  forEachRef([...document.preamble, ...document.steps.flatMap((step) => step.body)], visit);

  const header = document.frontMatter?.header;
  const stepsById = new Map(document.steps.map((step) => [step.id, step]));
  return {
    name: header?.name ?? 'Untitled procedure',
    version,
    text,
    document,
    trigger: header?.trigger ?? null,
    subProcedure: header?.subProcedure ?? false,
    attributes: header?.attributes ?? [],
    steps: document.steps,
    nodes,
    idAt: (offset) => ids.get(offset),
    stepById: (id) => stepsById.get(id),
    actions,
    teams,
    escalation: new Map((header?.escalation ?? []).map((entry) => [entry.reason, entry.team])),
    calls,
    switches,
    conditionIdAt: (offset) => conditionIds.get(offset),
  };
}

export function conditionId(procedure: CompiledProcedure, condition: Condition): string {
  const first = condition.branches[0]!;
  return procedure.conditionIdAt(first.headerSpan.start.offset) ?? `cond@${first.headerSpan.start.offset}`;
}

export function branchId(procedure: CompiledProcedure, branch: Branch): string {
  return procedure.idAt(branch.headerSpan.start.offset) ?? `branch@${branch.headerSpan.start.offset}`;
}

export function codeId(procedure: CompiledProcedure, block: CodeBlock): string {
  return procedure.idAt(block.span.start.offset) ?? `code@${block.span.start.offset}`;
}

export function forEachRef(blocks: Block[], visit: (ref: InlineRef) => void): void {
  for (const block of blocks) {
    if (block.kind === 'paragraph') {
      for (const line of block.lines) line.refs.forEach(visit);
      forEachRef(block.children, visit);
    } else if (block.kind === 'condition') {
      for (const branch of block.branches) {
        if (branch.test?.kind === 'plain') branch.test.refs.forEach(visit);
        forEachRef(branch.body, visit);
      }
    }
  }
}
