// Stable React Flow ids across edits. A node keeps its flow id while its graph id stays the same,
// and also when it takes the place (same index, same kind) of a node whose id went away: a step
// being renamed, and everything inside it. Typing in a step title then changes one label in the
// graph, not a node and its edges. Pure.
import type { GraphNode, ProcedureGraph } from '../../../shared/procedure';

export class FlowIdentity {
  private flowIds = new Map<string, string>();
  private previous: GraphNode[] = [];

  /** Graph id → flow id, for every node of the new graph. */
  update(graph: ProcedureGraph): ReadonlyMap<string, string> {
    const next = new Map<string, string>();
    const graphIds = new Set(graph.nodes.map((node) => node.id));
    const used = new Set<string>();
    graph.nodes.forEach((node, index) => {
      let flowId = this.flowIds.get(node.id);
      if (flowId === undefined) {
        const old = this.previous[index];
        if (old && old.kind === node.kind && !graphIds.has(old.id)) flowId = this.flowIds.get(old.id);
      }
      if (flowId === undefined || used.has(flowId)) {
        flowId = node.id;
        for (let n = 2; used.has(flowId); n++) flowId = `${node.id}~~${n}`;
      }
      used.add(flowId);
      next.set(node.id, flowId);
    });
    this.flowIds = next;
    this.previous = graph.nodes;
    return next;
  }
}
