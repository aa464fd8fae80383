// A Procedure's node ids in its own words, for what the command line and the author model read:
// a step is its title in quotes (“Find the order”), a branch its step and its test in plain words
// (“Check the claim window” → days since delivery ≤ 30; a Python test too complex for words stays
// code, in backticks), "Otherwise" as such. The id is what the engine and the graph use; a person reads the
// words, and an engineer gets both with `withId`. Pure.
import { conditionWords, parse, toGraph, type GraphNode } from '../../shared/procedure';
import { procedurePlaces, type ProcedureEvent } from '../../shared/trace';

/** id → words, for one Procedure text. */
export type NodeWords = ReadonlyMap<string, string>;

/** The words of each node of a Procedure text; a text that does not parse gives none (ids then stay ids). */
export function procedureNodeWords(text: string): NodeWords {
  let nodes: GraphNode[];
  try {
    nodes = toGraph(parse(text).document).nodes;
  } catch {
    return new Map();
  }
  const titles = new Map(nodes.filter((node) => node.kind === 'step').map((node) => [node.id, node.label]));
  const inStep = (node: GraphNode) => {
    const title = node.stepId ? titles.get(node.stepId) : undefined;
    return title === undefined ? '' : `“${title}”`;
  };
  const words = new Map<string, string>();
  const conditionsInStep = new Map<string, number>();
  for (const node of nodes) {
    switch (node.kind) {
      case 'step':
        words.set(node.id, `“${node.label}”`);
        break;
      case 'condition': {
        // A step with several conditions names them by their place.
        const nth = (conditionsInStep.get(node.stepId ?? '') ?? 0) + 1;
        conditionsInStep.set(node.stepId ?? '', nth);
        words.set(node.id, `the condition${nth > 1 ? ` ${nth}` : ''} in ${inStep(node) || 'the Procedure'}`);
        break;
      }
      case 'branch':
        words.set(node.id, `${inStep(node)} → ${branchTest(node)}`.trim());
        break;
      case 'code':
        words.set(node.id, `the code in ${inStep(node) || 'the Procedure'}`);
        break;
      case 'action':
        words.set(node.id, `@${node.label} in ${inStep(node) || 'the Procedure'}`);
        break;
      case 'handoff':
        words.set(node.id, `the handoff to ${node.label} in ${inStep(node) || 'the Procedure'}`);
        break;
      default:
        words.set(node.id, `${node.label}${inStep(node) ? ` in ${inStep(node)}` : ''}`);
    }
  }
  return words;
}

/** A branch's test as a person reads it: "Otherwise", a Python test in words (else its code), a plain test as written. */
function branchTest(node: GraphNode): string {
  if (node.test === 'otherwise') return 'Otherwise';
  if (node.test === 'python') {
    const code = node.label.replace(/^`+|`+$/g, '');
    const words = conditionWords(code);
    return words ?? `\`${code}\``;
  }
  return node.label;
}

/** Words by Procedure name. */
export type ProcedureWords = ReadonlyMap<string, NodeWords>;

export function wordsOfTexts(texts: Record<string, string>): ProcedureWords {
  return new Map(Object.entries(texts).map(([name, text]) => [name, procedureNodeWords(text)]));
}

export interface SayOptions {
  /** Put the id after the words, for an engineer (`--verbose`). */
  withId?: boolean;
}

/** One id in words, or the id itself where the words are unknown (never dropped). */
export function sayNode(words: NodeWords | undefined, id: string, options: SayOptions = {}): string {
  const said = words?.get(id);
  if (said === undefined) return id;
  return options.withId ? `${said} [${id}]` : said;
}

/**
 * For each event of a trace, how to say a node id in the words of the Procedure it happened in
 * (the shared walk of procedure_start/end/pause/resume decides which).
 */
export function traceSayers<E extends ProcedureEvent>(trace: readonly E[], words: ProcedureWords, options: SayOptions = {}): ((id: string) => string)[] {
  return procedurePlaces(trace).map((place) => {
    const own = place.procedure === null ? undefined : words.get(place.procedure);
    return (id: string) => sayNode(own, id, options);
  });
}
