// The edges of the graph a conversation went along. The trace says where it was: the trigger when
// the Procedure started, each step it entered, each branch a condition took (a Python test that was
// true, the agent's choice of a plain-language one, "Otherwise" after the last test was false), and
// the handoff or end it reached. Between two such places, the edges are those of the one way
// through what the runtime passes on its own (actions, code, sub-procedure calls, conditions none of
// whose branches ran). Where there is no such way (the agent moved back, or skipped a step), or more
// than one, nothing is marked: the path is never guessed. Pure.
import type { PreviewTraceEvent } from '../../../shared/api';
import { otherwiseAfterFalseTest, type GraphNode, type ProcedureGraph } from '../../../shared/procedure';
import { procedurePlaces } from '../../../shared/trace';

/** An edge of the Procedure graph, by the graph ids of its ends. */
export interface PathEdge {
  from: string;
  to: string;
}

/** A place the trace shows the conversation reached, in the Procedure the conversation started in. */
export type PathWaypoint =
  | { kind: 'node'; id: string }
  /** A Python test that was false: when it is its condition's last, the "Otherwise" branch ran. */
  | { kind: 'false-test'; branchId: string }
  | { kind: 'handoff'; team: string }
  | { kind: 'end' };

/** Where a conversation went in its own Procedure (not in the sub-procedures or topics it visited). */
export function waypointsOf(trace: readonly PreviewTraceEvent[]): PathWaypoint[] {
  const waypoints: PathWaypoint[] = [];
  const places = procedurePlaces(trace);
  let main: string | null = null;
  trace.forEach((event, position) => {
    const place = places[position]!;
    // In the conversation's own Procedure, with no sub-procedure or topic above it.
    const inMain = main !== null && place.procedure === main && place.running.at(-1) === main;
    switch (event.type) {
      case 'procedure_start':
        if (main === null && place.procedure !== null && event.payload.kind === 'main') {
          main = place.procedure;
          waypoints.push({ kind: 'node', id: 'trigger' });
        }
        break;
      case 'procedure_end':
        if (event.payload.complete === true && inMain) waypoints.push({ kind: 'end' });
        break;
      case 'step_enter':
        if (event.stepId && inMain) waypoints.push({ kind: 'node', id: event.stepId });
        break;
      case 'condition': {
        const branch = typeof event.payload.branchId === 'string' ? event.payload.branchId : null;
        // "none": the agent found no branch applies, and the step goes on past the condition.
        if (!inMain || !branch || branch === 'none' || event.payload.ok === false) break;
        if (event.payload.kind === 'plain' || event.payload.result === true) waypoints.push({ kind: 'node', id: branch });
        else if (event.payload.result === false) waypoints.push({ kind: 'false-test', branchId: branch });
        break;
      }
      case 'handoff':
        if (inMain && typeof event.payload.team === 'string') waypoints.push({ kind: 'handoff', team: event.payload.team });
        break;
      case 'conversation_end':
        if (inMain) waypoints.push({ kind: 'end' });
        break;
    }
  });
  return waypoints;
}

/** Kinds the runtime stops at (and the trace names): a way between two places never goes through one. */
const PLACES: ReadonlySet<GraphNode['kind']> = new Set(['trigger', 'step', 'branch', 'handoff', 'end']);

/** The graph's edges along the waypoints, in order, each once. */
export function pathEdges(graph: ProcedureGraph, waypoints: readonly PathWaypoint[]): PathEdge[] {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  const result: PathEdge[] = [];
  const seen = new Set<string>();
  const add = (edges: PathEdge[]) => {
    for (const edge of edges) {
      const key = `${edge.from}\u0000${edge.to}`;
      if (!seen.has(key)) {
        seen.add(key);
        result.push(edge);
      }
    }
  };

  let at: string | null = null;
  for (const waypoint of waypoints) {
    let targets: (node: GraphNode) => boolean;
    switch (waypoint.kind) {
      case 'node':
        targets = (node) => node.id === waypoint.id;
        break;
      case 'false-test': {
        const otherwise = otherwiseAfterFalseTest(graph.nodes, waypoint.branchId);
        if (!otherwise) continue;
        targets = (node) => node.id === otherwise;
        break;
      }
      case 'handoff': {
        const team = waypoint.team.trim().toLowerCase();
        targets = (node) => node.kind === 'handoff' && node.label.trim().toLowerCase() === team;
        break;
      }
      case 'end':
        targets = (node) => node.kind === 'end';
        break;
    }
    if (at !== null && byId.has(at)) {
      // A handoff or an end the trace does not name: it must be the only one there is a way to.
      let way: { to: string; edges: PathEdge[] } | null;
      if (waypoint.kind === 'handoff' || waypoint.kind === 'end') {
        const only: string | null = onlyReachable(at, targets, byId, next);
        way = only === null ? null : onlyWay(at, (node) => node.id === only, byId, next);
      } else way = onlyWay(at, targets, byId, next);
      if (way) {
        add(way.edges);
        at = way.to;
        continue;
      }
    }
    // No way from the last place (or none yet): start again from this one, when it names one node.
    if (waypoint.kind === 'node') at = byId.has(waypoint.id) ? waypoint.id : null;
    else if (waypoint.kind === 'false-test') at = otherwiseAfterFalseTest(graph.nodes, waypoint.branchId);
    else at = null;
  }
  return result;
}

/** The one node `isTarget` accepts that there is a way to from `from` (through nodes that are not places), or null. */
function onlyReachable(from: string, isTarget: (node: GraphNode) => boolean, byId: ReadonlyMap<string, GraphNode>, next: ReadonlyMap<string, string[]>): string | null {
  const seen = new Set([from]);
  const found = new Set<string>();
  for (let queue = [from]; queue.length > 0; ) {
    const id = queue.pop()!;
    for (const to of next.get(id) ?? []) {
      const node = byId.get(to);
      if (!node || seen.has(to)) continue;
      seen.add(to);
      if (isTarget(node)) found.add(to);
      else if (!PLACES.has(node.kind)) queue.push(to);
    }
  }
  return found.size === 1 ? [...found][0]! : null;
}

/**
 * The one shortest way from `from` to a node `isTarget` accepts, through nodes that are not places;
 * null when there is none, or when two ways (or two targets) are equally short.
 */
function onlyWay(from: string, isTarget: (node: GraphNode) => boolean, byId: ReadonlyMap<string, GraphNode>, next: ReadonlyMap<string, string[]>): { to: string; edges: PathEdge[] } | null {
  // Breadth first, counting the shortest ways into each node (capped at 2: "more than one").
  const ways = new Map<string, number>([[from, 1]]);
  const depth = new Map<string, number>([[from, 0]]);
  const previous = new Map<string, string>();
  let layer = [from];
  for (let d = 1; layer.length > 0; d++) {
    const reached: string[] = [];
    const following: string[] = [];
    for (const id of layer) {
      for (const to of next.get(id) ?? []) {
        const node = byId.get(to);
        if (!node) continue;
        const count = ways.get(id)!;
        if (depth.has(to)) {
          // Another way, as short, into a node of this layer.
          if (depth.get(to) === d) ways.set(to, Math.min(2, ways.get(to)! + count));
          continue;
        }
        depth.set(to, d);
        ways.set(to, count);
        previous.set(to, id);
        if (isTarget(node)) reached.push(to);
        else if (!PLACES.has(node.kind)) following.push(to);
      }
    }
    if (reached.length > 0) {
      if (reached.length > 1 || ways.get(reached[0]!)! > 1) return null;
      const edges: PathEdge[] = [];
      for (let at = reached[0]!; at !== from; at = previous.get(at)!) edges.unshift({ from: previous.get(at)!, to: at });
      return { to: reached[0]!, edges };
    }
    layer = following;
  }
  return null;
}
