// The simulation store beyond runs: definitions old and new, checks with kind and party, reviews
// and the workspace's judge–human agreement rate, suites, recordings and snapshots.
import { afterEach, describe, expect, it } from 'vitest';
import { simulationDefinitionSchema } from '../../main/simulations/definition';
import type { RunDetails } from '../../main/simulations/records';
import { StoreError } from '../../main/store/errors';
import type { Workspace } from '../../main/store/workspace';
import { shopWorkspace } from './helpers';

let workspace: Workspace | undefined;
afterEach(() => workspace?.close());

const details = (extra: Partial<RunDetails> = {}): RunDetails => ({
  conversationId: null,
  clock: '2026-11-25T10:00:00.000Z',
  draft: true,
  procedures: {},
  world: null,
  turns: 2,
  endedBy: 'outcome',
  attribution: null,
  customer: null,
  usage: {},
  costUsd: 0,
  error: null,
  durationMs: 5,
  ...extra,
});

describe('simulation definitions', () => {
  it('read the form stored before criteria and checks existed', () => {
    const definition = simulationDefinitionSchema.parse({
      customer: { persona: 'Polite', opening: 'My mug arrived broken.', facts: { order_number: '1043' } },
      expectations: [{ name: 'offers a replacement' }, { name: 'tone', kind: 'judge', description: 'Stays friendly.' }],
      mocks: { 'shop.get_order': { order_number: '1043' } },
    });
    expect(definition.criteria).toEqual([
      { name: 'offers a replacement', assertion: 'offers a replacement' },
      { name: 'tone', assertion: 'Stays friendly.' },
    ]);
    expect(definition.connectors.mocks['shop.get_order']).toEqual([{ status: 200, body: { order_number: '1043' } }]);
    expect(definition).toMatchObject({ maxTurns: 10, start: 'procedure', tags: [], expectedActions: [] });
  });

  it('refuse what cannot work, saying where', () => {
    const bad = simulationDefinitionSchema.safeParse({
      customer: { persona: 'x' },
      connectors: { mode: 'live' },
      worldAssertions: [{ name: 'w', python: 'True' }],
      finalStatus: { status: 'ended', team: 'Claims team' },
      expectedActions: [{ action: 'shop get order' }],
    });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('expectedActions.0.action: name an action as connector.action'),
        expect.stringContaining('finalStatus: a team goes with handed_off or escalated'),
      ]),
    );
  });
});

describe('the simulation store', () => {
  it('keeps checks with their kind, party and evidence, and the judge–human agreement rate from reviews', () => {
    workspace = shopWorkspace();
    const simulation = workspace.simulations.save('Damaged order claim', 'Broken mug', { customer: { persona: 'Polite' }, criteria: [{ name: 'kind', assertion: 'Is kind.' }] });
    expect(workspace.simulations.reviews.agreement()).toEqual({ reviewed: 0, agreed: 0, overruled: 0, rate: null });
    const runId = workspace.simulations.startRun(simulation.id, { procedureHash: 'sha256:a', definition: simulation.definition });
    workspace.simulations.completeRun(runId, {
      status: 'failed',
      summary: '1 of 2 failed',
      checks: [
        { name: 'kind', kind: 'criterion', passed: false, reason: 'Curt.', party: 'agent' },
        { name: 'calls shop.get_order', kind: 'expected_action', passed: true, reason: 'Called 1 time(s).', party: null, evidence: { calls: [] } },
      ],
      details: details({ attribution: 'agent' }),
    });
    const run = workspace.simulations.requireRun(runId);
    expect(run.checks.map((check) => [check.name, check.kind, check.passed, check.party])).toEqual([
      ['kind', 'criterion', false, 'agent'],
      ['calls shop.get_order', 'expected_action', true, null],
    ]);
    expect(run.details?.attribution).toBe('agent');
    expect(run.definition?.criteria).toHaveLength(1);
    // The old view of results still reads (bundles carry it).
    expect(workspace.simulations.lastRun(simulation.id)?.results[0]).toEqual({ expectation: 'kind', passed: false, detail: 'Curt.' });

    const [verdict, deterministic] = run.checks;
    workspace.simulations.reviews.review(verdict!.id, { decision: 'overrule', note: 'It was friendly enough.', reviewer: 'sam' });
    expect(() => workspace!.simulations.reviews.review(deterministic!.id, { decision: 'agree' })).toThrow(/deterministic check \(expected_action\), not a judge's verdict/);
    expect(workspace.simulations.reviews.agreement()).toEqual({ reviewed: 1, agreed: 0, overruled: 1, rate: 0 });
    // A second review of the same verdict replaces the first.
    workspace.simulations.reviews.review(verdict!.id, { decision: 'agree' });
    expect(workspace.simulations.reviews.agreement().rate).toBe(1);
    expect(workspace.simulations.reviews.forRun(runId).get(verdict!.id)).toMatchObject({ decision: 'agree', note: '' });
    expect(() => workspace!.simulations.reviews.review(99_999, { decision: 'agree' })).toThrow(StoreError);
  });

  it('leaves replays out of history, keeps snapshots once, and refuses invalid recordings', () => {
    workspace = shopWorkspace();
    const simulation = workspace.simulations.save('Damaged order claim', 'Broken mug', { customer: { persona: 'Polite' } });
    const finish = (runId: number) => workspace!.simulations.completeRun(runId, { status: 'passed', summary: '', checks: [], details: details() });
    const first = workspace.simulations.startRun(simulation.id, { procedureHash: 'sha256:a' });
    finish(first);
    const second = workspace.simulations.startRun(simulation.id, { procedureHash: 'sha256:b' });
    finish(second);
    const replay = workspace.simulations.startRun(simulation.id, { procedureHash: 'sha256:b', replayOf: second });
    finish(replay);
    expect(workspace.simulations.runs(simulation.id).map((run) => run.id)).toEqual([second, first]);
    expect(workspace.simulations.lastRun(simulation.id)?.id).toBe(second);
    expect(workspace.simulations.previousRun(second)?.id).toBe(first);
    expect(workspace.simulations.previousRun(first)).toBeNull();

    const recordings = workspace.simulations.recordings;
    const hash = recordings.snapshot('procedure', 'X', 'text');
    expect(recordings.snapshot('procedure', 'X', 'text')).toBe(hash);
    expect(recordings.snapshotText(hash)).toBe('text');
    expect(() => recordings.saveModelCalls(first, [{ seq: 1, role: 'agent', requestHash: 'h', result: { model: 'm' } } as never])).toThrow(/Recorded model calls are not valid/);

    const suite = workspace.simulations.suites.start({ repeat: 2 }, { estimatedUsd: 0.1 });
    expect(workspace.simulations.suites.get(suite)).toMatchObject({ status: 'running', options: { repeat: 2 } });
    workspace.simulations.suites.finish(suite, 'finished', { passHatK: 1 });
    expect(workspace.simulations.suites.get(suite)).toMatchObject({ status: 'finished', report: { passHatK: 1 } });
  });
});
