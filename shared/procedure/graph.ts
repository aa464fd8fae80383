// toGraph(tree): the nodes and edges of the graph view. The same ids name steps and branches in the
// runtime's trace, so the UI can draw a conversation's live position.
import type { Block, InlineRef, ProcedureDocument, Span, Step } from './ast';
import { IdAllocator, IMPLICIT_END_ID, slugify, TRIGGER_ID } from './ids';
import { testText } from './print';

export type NodeKind = 'trigger' | 'step' | 'condition' | 'branch' | 'code' | 'action' | 'subprocedure' | 'handoff' | 'end';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  line: number;
  span: Span;
  /** The step the node belongs to (absent for the trigger and the implicit end). */
  stepId?: string;
  /** For sub-procedure nodes: the called Procedure; `mode` says whether it returns. */
  target?: string;
  mode?: 'call' | 'switch';
  /** For branch nodes: how the test is decided. */
  test?: 'python' | 'plain' | 'otherwise';
}

export type EdgeKind = 'flow' | 'branch' | 'goto' | 'optional';

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  kind: EdgeKind;
}

export interface ProcedureGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Ids of steps no path from the trigger reaches. */
  unreachableSteps: string[];
  /** Blocks that come after an unconditional handoff, end or move in the same list. */
  deadBlocks: Span[];
}

interface Exit {
  from: string;
  label?: string;
}

const CONDITION_LABEL_LENGTH = 60;

export function toGraph(document: ProcedureDocument): ProcedureGraph {
  return new GraphBuilder(document).build();
}

class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly edges: GraphEdge[] = [];
  private readonly deadBlocks: Span[] = [];
  private readonly stepByTitle = new Map<string, Step>();
  private stepIds = new IdAllocator();
  private counters = new Map<string, number>();
  private step: Step | null = null;

  constructor(private readonly document: ProcedureDocument) {
    for (const step of document.steps) {
      const key = step.title.toLowerCase();
      if (!this.stepByTitle.has(key)) this.stepByTitle.set(key, step);
    }
  }

  build(): ProcedureGraph {
    const header = this.document.frontMatter?.header;
    const triggerLabel = header?.subProcedure ? 'Called by another Procedure' : shorten(header?.trigger ?? 'No trigger yet', 80);
    this.nodes.push({ id: TRIGGER_ID, kind: 'trigger', label: triggerLabel, line: header?.span.start.line ?? 1, span: header?.span ?? this.document.span });

    let exits: Exit[] = [{ from: TRIGGER_ID }];
    for (const step of this.document.steps) {
      this.step = step;
      this.stepIds = new IdAllocator();
      this.counters = new Map();
      this.nodes.push({ id: step.id, kind: 'step', label: step.title || 'Untitled step', line: step.span.start.line, span: step.titleSpan, stepId: step.id });
      this.connect(exits, step.id);
      exits = this.blocks(step.body, [{ from: step.id }]);
    }
    if (exits.length > 0) {
      const end = this.document.span.end;
      this.nodes.push({ id: IMPLICIT_END_ID, kind: 'end', label: header?.subProcedure ? 'Return to caller' : 'End', line: end.line, span: { start: end, end } });
      this.connect(exits, IMPLICIT_END_ID);
    }
    return { nodes: this.nodes, edges: this.edges, unreachableSteps: this.unreachableSteps(), deadBlocks: this.deadBlocks };
  }

  private blocks(blocks: Block[], exits: Exit[]): Exit[] {
    let reportedDead = false;
    for (const block of blocks) {
      if (exits.length === 0 && !reportedDead) {
        this.deadBlocks.push(block.span);
        reportedDead = true;
      }
      exits = this.block(block, exits);
    }
    return exits;
  }

  private block(block: Block, exits: Exit[]): Exit[] {
    switch (block.kind) {
      case 'paragraph':
        for (const line of block.lines) for (const ref of line.refs) exits = this.ref(ref, exits);
        return this.blocks(block.children, exits);
      case 'code': {
        if (block.language !== 'python') return exits;
        const id = this.id(`code${this.count('code')}`);
        this.nodes.push({ id, kind: 'code', label: codeLabel(block.code), line: block.span.start.line, span: block.span, stepId: this.step?.id });
        this.connect(exits, id);
        return [{ from: id }];
      }
      case 'condition': {
        const conditionId = this.id(`cond${this.count('cond')}`);
        const first = block.branches[0];
        const label = first?.test ? shorten(testText(first.test), CONDITION_LABEL_LENGTH) : 'Condition';
        this.nodes.push({ id: conditionId, kind: 'condition', label, line: block.span.start.line, span: first?.headerSpan ?? block.span, stepId: this.step?.id });
        this.connect(exits, conditionId);
        const after: Exit[] = [];
        block.branches.forEach((branch, index) => {
          const branchId = `${conditionId}/b${index + 1}`;
          const branchLabel = branch.test ? testText(branch.test) : 'Otherwise';
          this.nodes.push({
            id: branchId,
            kind: 'branch',
            label: branchLabel,
            line: branch.headerSpan.start.line,
            span: branch.headerSpan,
            stepId: this.step?.id,
            test: branch.test?.kind ?? 'otherwise',
          });
          this.edges.push({ from: conditionId, to: branchId, label: branchLabel, kind: 'branch' });
          after.push(...this.blocks(branch.body, [{ from: branchId }]));
        });
        if (!block.branches.some((branch) => branch.kind === 'else')) after.push({ from: conditionId, label: 'none matched' });
        return after;
      }
    }
  }

  private ref(ref: InlineRef, exits: Exit[]): Exit[] {
    const line = ref.span.start.line;
    const stepId = this.step?.id;
    switch (ref.kind) {
      case 'action': {
        const name = `${ref.connector}.${ref.action}`;
        const id = this.id(`action:${name}`);
        this.nodes.push({ id, kind: 'action', label: name, line, span: ref.span, stepId });
        this.connect(exits, id);
        return [{ from: id }];
      }
      case 'subprocedure': {
        const id = this.id(`call:${slugify(ref.name)}`);
        this.nodes.push({ id, kind: 'subprocedure', label: ref.name, line, span: ref.span, stepId, target: ref.name, mode: 'call' });
        this.connect(exits, id);
        return [{ from: id }];
      }
      case 'switch': {
        const id = this.id(`switch:${slugify(ref.name)}`);
        this.nodes.push({ id, kind: 'subprocedure', label: `Switch to ${ref.name}`, line, span: ref.span, stepId, target: ref.name, mode: 'switch' });
        return this.terminal(exits, id, ref.final);
      }
      case 'handoff': {
        const id = this.id(`handoff:${slugify(ref.team)}`);
        this.nodes.push({ id, kind: 'handoff', label: ref.team, line, span: ref.span, stepId });
        return this.terminal(exits, id, ref.final);
      }
      case 'end': {
        const id = this.id(`end${this.count('end')}`);
        this.nodes.push({ id, kind: 'end', label: 'End', line, span: ref.span, stepId });
        return this.terminal(exits, id, ref.final);
      }
      case 'goto': {
        const target = this.stepByTitle.get(ref.step.toLowerCase());
        if (target) for (const exit of exits) this.edges.push({ from: exit.from, to: target.id, label: exit.label ?? 'go to', kind: 'goto' });
        return ref.final ? [] : exits;
      }
      case 'attribute':
      case 'tag':
        return exits;
    }
  }

  /** A handoff, end or switch: final ones stop the flow; ones inside a sentence are taken only when it says. */
  private terminal(exits: Exit[], id: string, final: boolean): Exit[] {
    if (final) {
      this.connect(exits, id);
      return [];
    }
    for (const exit of exits) this.edges.push({ from: exit.from, to: id, label: 'when needed', kind: 'optional' });
    return exits;
  }

  private connect(exits: Exit[], to: string): void {
    for (const exit of exits) this.edges.push({ from: exit.from, to, ...(exit.label ? { label: exit.label } : {}), kind: 'flow' });
  }

  private id(local: string): string {
    return this.stepIds.next(`${this.step?.id ?? 'overview'}/${local}`);
  }

  private count(kind: string): number {
    const next = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, next);
    return next;
  }

  private unreachableSteps(): string[] {
    const outgoing = new Map<string, string[]>();
    for (const edge of this.edges) {
      const list = outgoing.get(edge.from);
      if (list) list.push(edge.to);
      else outgoing.set(edge.from, [edge.to]);
    }
    const seen = new Set<string>([TRIGGER_ID]);
    const queue = [TRIGGER_ID];
    while (queue.length > 0) {
      for (const to of outgoing.get(queue.pop()!) ?? []) {
        if (!seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
    return this.document.steps.filter((step) => !seen.has(step.id)).map((step) => step.id);
  }
}

function codeLabel(code: string): string {
  const line = code.split('\n').find((text) => text.trim() && !/^\s*(?:from|import)\s/.test(text) && !text.trim().startsWith('#'));
  return shorten(line?.trim() ?? 'Python', CONDITION_LABEL_LENGTH);
}

function shorten(text: string, max: number): string {
  const single = /\s\s|[\t\n\r]/.test(text) ? text.replace(/\s+/g, ' ').trim() : text.trim();
  return single.length > max ? `${single.slice(0, max - 1)}…` : single;
}
