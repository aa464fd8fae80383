// The deterministic part of a step. Python code steps and Python conditions run in the sandbox as
// soon as everything they read is available (the attributes they read are set and the connector
// results they read exist); the result picks the branch. The model never evaluates them.
//
// A pure decision that needs the sandbox: `advance` is a generator that yields each evaluation it
// needs (a `sandbox` effect) and receives its result, so the caller runs Python (turn.ts) or
// answers from a script (the rule tests). It changes only the working copy it is given.
import type { Block, CodeBlock, Condition, InlineRef, Step } from '../../shared/procedure';
import { analyzePython } from '../../shared/procedure/python-refs';
import { testText } from '../../shared/procedure/print';
import { codeSnippet, testSnippet, type PythonSnippet } from '../../shared/procedure/walk';
import type { EvaluationError, EvaluationRequest, EvaluationResult } from '../sandbox/types';
import { emit, type Change } from './change';
import { branchId, codeId, conditionId, type CompiledProcedure } from './compiled-procedure';
import { attributeInput, gateModel, withoutStale } from './reach';
import type { ConversationState, Frame } from './types';

interface AdvanceContext {
  procedure: CompiledProcedure;
  frame: Frame;
  change: Change;
  state: ConversationState;
}

/** The one effect the deterministic part needs: evaluate this snippet in the sandbox. */
export interface SandboxEffect {
  kind: 'sandbox';
  request: EvaluationRequest;
}

/** Drives `advance`: yields sandbox effects and takes their results. */
export type Advancing = Generator<SandboxEffect, AdvanceResult, EvaluationResult>;

export interface AdvanceResult {
  /** Things the runtime decided during this call, for the model to hear about. */
  notes: string[];
  /** A plain-language condition the model has to decide before the step can go on. */
  awaitingDecision: { conditionId: string; branches: { id: string; test: string }[] } | null;
  /** A code step or condition still waiting for inputs. */
  waitingFor: { nodeId: string; missing: string[] } | null;
  /** Final handoffs, switches or ends in branches chosen by Python: the runtime makes sure they happen. */
  /** What a branch Python chose requires, with that condition and branch: only another choice there voids it. */
  obligations: { kind: 'handoff' | 'switch' | 'end'; target: string; nodeId: string; chosenBy?: { condition: string; branch: string } }[];
  /** Code that failed: the step cannot go on past it. */
  failed: { nodeId: string; message: string } | null;
}

/** Runs what is ready in the innermost frame's current step, in document order, until something blocks. */
export function* advance(change: Change, procedure: CompiledProcedure): Advancing {
  const result: AdvanceResult = { notes: [], awaitingDecision: null, waitingFor: null, obligations: [], failed: null };
  const frame = change.state.stack[change.state.stack.length - 1];
  if (!frame) return result;
  const context: AdvanceContext = { procedure, frame, change, state: change.state };
  const step = procedure.stepById(frame.stepId);
  const before = Object.keys(frame.decided).length;
  if (step) yield* walk(step.body, context, result, step, null);
  // A code step that ran or a branch chosen is progress, as a new attribute is.
  if (Object.keys(frame.decided).length > before) change.progressed = true;
  return result;
}

const walkable = new WeakMap<Step, boolean>();

/**
 * Whether a step has a deterministic part at all: code, a condition, or a @tag. Most steps have
 * none, and the loop need not prepare a change to learn that `advance` would do nothing.
 */
export function hasDeterministicPart(step: Step): boolean {
  let known = walkable.get(step);
  if (known === undefined) {
    known = blocksNeedWalk(step.body);
    walkable.set(step, known);
  }
  return known;
}

function blocksNeedWalk(blocks: Block[]): boolean {
  return blocks.some((block) =>
    block.kind === 'paragraph' ? block.lines.some((line) => line.refs.some((ref) => ref.kind === 'tag')) || blocksNeedWalk(block.children) : block.kind === 'condition' || block.language === 'python',
  );
}

/** Runs `advance` to the end with a synchronous evaluator (for tests and tools that need no Python). */
export function advanceWith(change: Change, procedure: CompiledProcedure, evaluate: (request: EvaluationRequest) => EvaluationResult): AdvanceResult {
  const running = advance(change, procedure);
  let next = running.next();
  while (!next.done) next = running.next(evaluate(next.value.request));
  return next.value;
}

/** Returns false when the walk must stop (something blocks). */
function* walk(blocks: Block[], context: AdvanceContext, result: AdvanceResult, step: Step, chosenBy: ChosenBy | null): Generator<SandboxEffect, boolean, EvaluationResult> {
  for (const block of blocks) {
    if (block.kind === 'paragraph') {
      const refs = block.lines.flatMap((line) => line.refs);
      collectTags(refs, context, step);
      if (chosenBy) collectObligations(refs, context, result, chosenBy);
      if (!(yield* walk(block.children, context, result, step, chosenBy))) return false;
    } else if (block.kind === 'code') {
      if (block.language !== 'python') continue;
      if (!(yield* runCode(block, context, result, step))) return false;
    } else if (!(yield* runCondition(block, context, result, step))) return false;
  }
  return true;
}

/** @tag labels on the conversation's path are recorded by the runtime, not left to the model. */
function collectTags(refs: InlineRef[], context: AdvanceContext, step: Step) {
  for (const ref of refs) {
    if (ref.kind !== 'tag' || context.state.tags.includes(ref.tag)) continue;
    context.state.tags = [...context.state.tags, ref.tag];
    emit(context.change, { type: 'tag', stepId: step.id, payload: { tag: ref.tag } });
  }
}

type ChosenBy = { condition: string; branch: string };

function collectObligations(refs: InlineRef[], context: AdvanceContext, result: AdvanceResult, chosenBy: ChosenBy) {
  for (const ref of refs) {
    if (!('final' in ref) || !ref.final) continue;
    const nodeId = context.procedure.idAt(ref.span.start.offset) ?? '';
    if (ref.kind === 'handoff') result.obligations.push({ kind: 'handoff', target: ref.team, nodeId, chosenBy });
    else if (ref.kind === 'switch') result.obligations.push({ kind: 'switch', target: ref.name, nodeId, chosenBy });
    else if (ref.kind === 'end') result.obligations.push({ kind: 'end', target: context.procedure.name, nodeId, chosenBy });
  }
}

function missingInputs(code: string, state: ConversationState): string[] {
  const refs = analyzePython(code, (line, column) => ({ line, column, offset: 0 }));
  const missing = new Set<string>();
  for (const read of refs.attributeReads) if (!(read.name in state.attributes)) missing.add(`attribute ${read.name}`);
  for (const read of refs.dataReads) if (!(read.name in state.data)) missing.add(`result of @${read.name}`);
  return [...missing];
}

function attributeValues(state: ConversationState): Record<string, unknown> {
  return Object.fromEntries(Object.entries(state.attributes).map(([name, entry]) => [name, entry.value]));
}

function evaluation(context: AdvanceContext, mode: 'condition' | 'code', code: string, origin: { line: number; column: number }): SandboxEffect {
  const request: EvaluationRequest = {
    mode,
    code,
    attributes: attributeValues(context.state),
    data: context.state.data,
    declared: context.procedure.attributes.map((attribute) => ({ name: attribute.name, type: attribute.type, ...(attribute.values ? { values: attribute.values } : {}) })),
    clock: context.state.clock,
    origin,
  };
  return { kind: 'sandbox', request };
}

/**
 * Runs a snippet once everything it reads is known. Returns null when it is waiting for inputs or
 * failed (both recorded in `result`, a failure also in the frame so it is not retried blindly).
 */
function* runSnippet(
  context: AdvanceContext,
  result: AdvanceResult,
  id: string,
  snippet: PythonSnippet,
  onError: (error: EvaluationError, message: string) => void,
): Generator<SandboxEffect, Extract<EvaluationResult, { ok: true }> | null, EvaluationResult> {
  const missing = missingInputs(snippet.code, context.state);
  if (missing.length > 0) {
    result.waitingFor = { nodeId: id, missing };
    return null;
  }
  const outcome: EvaluationResult = yield evaluation(context, snippet.mode, snippet.code, { line: snippet.origin.line, column: snippet.origin.column });
  if (outcome.ok) return outcome;
  const message = `${outcome.error.message}${outcome.error.line ? ` (line ${outcome.error.line})` : ''}`;
  record(context, id, `error: ${message}`);
  result.failed = { nodeId: id, message };
  onError(outcome.error, message);
  return null;
}

/**
 * Where the step stands on a node, and what the Procedure's gates have established (reach.ts).
 * Replaced, not written to: the old objects are the input state's.
 */
function record(context: AdvanceContext, id: string, outcome: string) {
  context.frame.decided = { ...context.frame.decided, [id]: outcome };
  context.frame.gates = { ...context.frame.gates, [id]: outcome };
}

function previousFailure(context: AdvanceContext, result: AdvanceResult, id: string): boolean {
  const done = context.frame.decided[id];
  if (!done?.startsWith('error')) return false;
  result.failed = { nodeId: id, message: done.slice('error: '.length) };
  return true;
}

function* runCode(block: CodeBlock, context: AdvanceContext, result: AdvanceResult, step: Step): Generator<SandboxEffect, boolean, EvaluationResult> {
  const id = codeId(context.procedure, block);
  if (context.frame.decided[id] === 'ran') return true;
  if (previousFailure(context, result, id)) return false;
  const outcome = yield* runSnippet(context, result, id, codeSnippet(block), (error, message) => {
    emit(context.change, { type: 'code_run', stepId: step.id, payload: { nodeId: id, ok: false, error } });
    result.notes.push(`The code step ${id} failed: ${message}`);
  });
  if (!outcome) return false;
  const changed: string[] = [];
  for (const [name, value] of Object.entries(outcome.attributeWrites)) {
    const previous = context.state.attributes[name];
    if (!previous || JSON.stringify(previous.value) !== JSON.stringify(value)) changed.push(attributeInput(name));
    context.state.attributes = { ...context.state.attributes, [name]: { value, source: 'code', turn: context.state.turn } };
    emit(context.change, { type: 'attribute_set', stepId: step.id, payload: { name, value, source: 'code', nodeId: id } });
  }
  // What later gates of this run decided on the old values no longer holds (reach.ts).
  const fresh = withoutStale(gateModel(context.procedure), context.frame, changed);
  context.frame.gates = fresh.gates;
  context.frame.decided = fresh.decided;
  record(context, id, 'ran');
  emit(context.change, { type: 'code_run', stepId: step.id, payload: { nodeId: id, ok: true, writes: outcome.attributeWrites, printed: outcome.printed, durationMs: outcome.durationMs } });
  if (Object.keys(outcome.attributeWrites).length > 0) {
    result.notes.push(`The runtime ran ${id}: ${Object.entries(outcome.attributeWrites).map(([name, value]) => `${name} = ${JSON.stringify(value)}`).join(', ')}.`);
  }
  return true;
}

function* runCondition(condition: Condition, context: AdvanceContext, result: AdvanceResult, step: Step): Generator<SandboxEffect, boolean, EvaluationResult> {
  const id = conditionId(context.procedure, condition);
  const decided = context.frame.decided[id];
  if (decided !== undefined) return yield* followDecision(condition, decided, context, result, step);

  // Python tests in order; a plain-language test hands the rest of the decision to the model.
  for (const [index, branch] of condition.branches.entries()) {
    const bId = branchId(context.procedure, branch);
    if (branch.kind === 'else') return yield* choose(condition, id, bId, context, result, step);
    const test = branch.test!;
    if (test.kind === 'plain') {
      const remaining = condition.branches.slice(index).map((candidate) => ({
        id: branchId(context.procedure, candidate),
        test: candidate.test ? testText(candidate.test) : 'Otherwise',
      }));
      if (!condition.branches.some((candidate) => candidate.kind === 'else')) remaining.push({ id: 'none', test: 'None of these' });
      result.awaitingDecision = { conditionId: id, branches: remaining };
      return false;
    }
    const inputs = { attributes: attributeValues(context.state), data: Object.keys(context.state.data) };
    const outcome = yield* runSnippet(context, result, id, testSnippet(test), (error, message) => {
      emit(context.change, { type: 'condition', stepId: step.id, payload: { nodeId: id, kind: 'python', test: test.expression, ok: false, error, inputs } });
      result.notes.push(`The condition ${id} could not be evaluated: ${message}`);
    });
    if (!outcome) return false;
    emit(context.change, { type: 'condition', stepId: step.id, payload: { nodeId: id, branchId: bId, kind: 'python', test: test.expression, result: outcome.value === true, inputs } });
    if (outcome.value === true) return yield* choose(condition, id, bId, context, result, step);
  }
  record(context, id, 'none');
  result.notes.push(`The runtime evaluated ${id}: no branch matched, so the step goes on after it.`);
  return true;
}

function* choose(condition: Condition, id: string, chosen: string, context: AdvanceContext, result: AdvanceResult, step: Step): Generator<SandboxEffect, boolean, EvaluationResult> {
  record(context, id, chosen);
  // The test is not restated: the Procedure the model reads shows it at the branch's id.
  result.notes.push(`The runtime evaluated ${id} (python): it chose ${chosen}. Follow that branch.`);
  return yield* followDecision(condition, chosen, context, result, step, true);
}

function* followDecision(condition: Condition, decided: string, context: AdvanceContext, result: AdvanceResult, step: Step, fresh = false): Generator<SandboxEffect, boolean, EvaluationResult> {
  if (decided === 'none') return true;
  if (previousFailure(context, result, conditionId(context.procedure, condition))) return false;
  const branch = condition.branches.find((candidate) => branchId(context.procedure, candidate) === decided);
  if (!branch) return true;
  const byPython = branch.kind === 'else' ? condition.branches.every((candidate) => candidate.test?.kind !== 'plain') : branch.test?.kind === 'python';
  // Obligations are collected once, when the branch is first chosen.
  return yield* walk(branch.body, context, result, step, byPython && fresh ? { condition: conditionId(context.procedure, condition), branch: decided } : null);
}
