// Runs planned conversations through the real ConversationEngine: the example shop's connectors
// mocked over its world (Python mock handlers), the real Python sandbox shared by every
// conversation, and an in-memory store per conversation. Each conversation's whole trace comes
// back with the Procedures it ran on, ready for the checker.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../main/assembly/engine';
import { RuntimeConnectors } from '../../main/connectors/runtime-connectors';
import { ConversationClosedError } from '../../main/runtime/engine';
import { recordingConnectors } from '../../main/runtime/recording-connectors';
import type { ActionInfo, ConversationPersistence, ConversationState, TraceEvent } from '../../main/runtime/types';
import type { CodeSandbox } from '../../main/sandbox/types';
import { loadExamples } from '../../main/services/example-workspace';
import { Workspace } from '../../main/store/workspace';
import { parse, type ProcedureDocument } from '../../shared/procedure';
import { designDir } from '../support/paths';
import { PlannedModel, poolsOf, type Plan, type Pools } from './adversary';
import { CREDIT_OR_REFUND, IDENTITY_CHECK, REFUND_CHECK } from './support';

/** Keeps one conversation in memory: the property test needs no SQLite per turn. */
export class MemoryPersistence implements ConversationPersistence {
  private state: ConversationState | null = null;
  constructor(private readonly id: number) {}
  create(): number {
    return this.id;
  }
  saveTurn(_id: number, state: ConversationState): void {
    this.state = state;
  }
  load(): ConversationState | null {
    return this.state;
  }
}

export interface ProcedureSet {
  name: string;
  workspace: Workspace;
  documents: Map<string, ProcedureDocument>;
  pools: Pools;
  /** The Procedures conversations start in. */
  startIn: string[];
  connectors: ConstructorParameters<typeof RuntimeConnectors>[0]['definitions'];
  world: Record<string, unknown>;
}

/** The Procedures in tests/: the design fixtures and the conformance scenario (issue 12). */
export const TEST_PROCEDURES = () => [readFileSync(join(designDir, 'damaged-order.md'), 'utf8'), readFileSync(join(designDir, 'verify-identity.md'), 'utf8'), REFUND_CHECK, IDENTITY_CHECK, CREDIT_OR_REFUND];

/**
 * A workspace with the example shop (Procedures, connectors, worlds, teams, knowledge). With
 * `texts`, those Procedures replace the examples of the same name or join them, and conversations
 * start only in them.
 */
export function procedureSet(name: string, texts?: string[]): ProcedureSet {
  const workspace = Workspace.create(join(mkdtempSync(join(tmpdir(), 'stepwise-conformance-')), `${name}.stepwise`));
  loadExamples(workspace);
  const own = new Set<string>();
  for (const text of texts ?? []) {
    const name = parse(text).document.frontMatter!.header.name!;
    own.add(name);
    if (workspace.procedures.get(name)) workspace.procedures.saveDraft(name, text);
    else workspace.procedures.create(text);
  }
  const documents = new Map<string, ProcedureDocument>();
  for (const record of workspace.procedures.list()) documents.set(record.name, parse(record.draftText).document);
  const connectors = workspace.connectors.list();
  const actions: ActionInfo[] = new RuntimeConnectors({ definitions: connectors, mode: 'mock' }).list();
  const pools = poolsOf([...documents.values()], actions);
  const startIn = texts ? pools.procedures.filter((procedure) => own.has(procedure)) : pools.procedures;
  return { name, workspace, documents, pools, startIn, connectors, world: workspace.worlds.get('shop')!.world };
}

export interface ConversationRun {
  trace: TraceEvent[];
  procedure: string;
  turns: number;
}

const CLOCK = () => new Date('2026-11-25T10:00:00Z');
let nextId = 1;

/** Plays one plan: starts in a Procedure (or lets the router choose), then each turn's customer message. */
export async function runPlan(set: ProcedureSet, plan: Plan, sandbox: CodeSandbox): Promise<ConversationRun> {
  const model = new PlannedModel(set.pools, plan);
  const connectors = new RuntimeConnectors({ definitions: set.connectors, mode: 'mock', world: set.world, sandbox, clock: CLOCK });
  const id = nextId++;
  const { engine, close } = createEngine({ workspace: set.workspace, model, draft: true, connectors: recordingConnectors(connectors), sandbox, persistence: new MemoryPersistence(id), clock: CLOCK });
  const trace: TraceEvent[] = [];
  engine.subscribe((_conversation, event) => trace.push(event));
  const procedure = set.startIn[plan.start % set.startIn.length]!;
  // Sub-procedures are started too: the checker must hold inside them as well.
  await engine.start({ kind: 'simulation', procedure });
  let turns = 0;
  try {
    for (const turn of plan.turns) {
      model.beginTurn(turn);
      try {
        await engine.send(id, turn.customer);
        turns += 1;
      } catch (error) {
        if (error instanceof ConversationClosedError) break;
        throw error;
      }
    }
  } finally {
    await close();
    await connectors.close();
  }
  return { trace, procedure, turns };
}
