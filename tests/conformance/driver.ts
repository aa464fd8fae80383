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
import { designDir, fixturesDir } from '../support/paths';
import type { ModelCaller } from '../../main/model/client';
import { scriptedModel, type ToolCalls } from '../services/scripted-model';
import type { EscalationPolicy } from '../../main/runtime/escalation';
import { PATIENT_POLICY, PlannedModel, poolsOf, type Plan, type Pools } from './adversary';
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

/** The runtime's enforcement fixtures (issue 12's scenario as the runtime tests write it): their names clash with the above, so they get a workspace of their own. */
export const ENFORCEMENT_PROCEDURES = () => ['refund-check.md', 'identity-check.md'].map((file) => readFileSync(join(fixturesDir, 'enforcement', file), 'utf8'));

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

/** Plays one plan: starts in the Procedure it picks, then each turn's customer message. */
export async function runPlan(set: ProcedureSet, plan: Plan, sandbox: CodeSandbox): Promise<ConversationRun> {
  const model = new PlannedModel(set.pools, plan);
  return play(set, set.startIn[plan.start % set.startIn.length]!, plan.turns, model, sandbox, plan.patient ? PATIENT_POLICY : {});
}

export type ScriptedTurn = [customer: string, responses: ToolCalls[]];

/** Plays a fixed script: each turn's model responses in order, then a reply when they run out. */
export async function runScript(set: ProcedureSet, procedure: string, turns: ScriptedTurn[], sandbox: CodeSandbox): Promise<ConversationRun> {
  let turn = 0;
  let response = 0;
  const model = scriptedModel((request) => {
    if (request.role !== 'agent') throw new Error(`No ${request.role} call expected.`);
    return turns[turn - 1]?.[1][response++] ?? [['reply', { message: 'Is there anything else?' }]];
  });
  const begin = () => {
    turn += 1;
    response = 0;
  };
  return play(set, procedure, turns.map(([customer]) => ({ customer })), { call: model.call, beginTurn: begin }, sandbox);
}

/** A model that is told when each turn begins. */
type TurnModel<T> = ModelCaller & { beginTurn(turn: T): void; position?: { observe(event: TraceEvent): void } };

async function play<T extends { customer: string }>(
  set: ProcedureSet,
  procedure: string,
  turns: T[],
  model: TurnModel<T>,
  sandbox: CodeSandbox,
  escalation: Partial<EscalationPolicy> = {},
): Promise<ConversationRun> {
  const connectors = new RuntimeConnectors({ definitions: set.connectors, mode: 'mock', world: set.world, sandbox, clock: CLOCK });
  const id = nextId++;
  const { engine, close } = createEngine({ workspace: set.workspace, model, draft: true, connectors: recordingConnectors(connectors), sandbox, persistence: new MemoryPersistence(id), clock: CLOCK, escalation });
  const trace: TraceEvent[] = [];
  engine.subscribe((_conversation, event) => {
    trace.push(event);
    model.position?.observe(event);
  });
  // Sub-procedures are started too: the checker must hold inside them as well.
  await engine.start({ kind: 'simulation', procedure });
  let played = 0;
  try {
    for (const turn of turns) {
      model.beginTurn(turn);
      try {
        await engine.send(id, turn.customer);
        played += 1;
      } catch (error) {
        if (error instanceof ConversationClosedError) break;
        throw error;
      }
    }
  } finally {
    await close();
    await connectors.close();
  }
  return { trace, procedure, turns: played };
}
