// The workspace setting that re-runs a Procedure's simulations when its draft is saved (through the
// API's procedures.saveDraft and its change events), and human reviews of the judge's verdicts.
import { afterEach, describe, expect, it } from 'vitest';
import { EventHub } from '../../main/api/events';
import { procedureHandlers } from '../../main/api/procedures-service';
import { AUTO_RERUN_KEY, AutoRerun, autoRerunSettingsSchema } from '../../main/simulations/auto-rerun';
import { pinProcedures } from '../../main/simulations/pinned-procedures';
import { reviewedStatus, reviewVerdict } from '../../main/simulations/review';
import { runSimulation } from '../../main/simulations/simulate';
import type { SuiteReport } from '../../main/simulations/suite';
import type { Workspace } from '../../main/store/workspace';
import { GREETING, greetingScript, greetingWorkspace } from './greeting';
import { useModelServers, type ModelServer } from './helpers';
import { useSandbox } from '../support/fixtures';

const sandbox = useSandbox();

const startModelServer = useModelServers();
let server: ModelServer | undefined;
let workspace: Workspace | undefined;
let rerun: AutoRerun | undefined;
afterEach(async () => {
  await rerun?.close();
  workspace?.close();
  rerun = undefined;
});

describe('re-running simulations when a draft is saved', () => {
  it('does nothing while the setting is off', async () => {
    workspace = greetingWorkspace(['steady-a']);
    server = await startModelServer(greetingScript());
    rerun = new AutoRerun({ services: { workspace, sandbox }, model: () => server!.client, debounceMs: 10 });
    expect(rerun.settings()).toEqual({ enabled: false, concurrency: 2, repeat: 1 });
    expect(await rerun.draftSaved('Greeting')).toBeNull();
    expect(server.fake.requests).toHaveLength(0);
  });

  it('runs the saved simulations once after a burst of saves, on the draft as last saved', async () => {
    workspace = greetingWorkspace(['steady-a', 'steady-b']);
    workspace.settings.set(AUTO_RERUN_KEY, autoRerunSettingsSchema, { enabled: true, concurrency: 2 });
    server = await startModelServer(greetingScript());
    const reports: SuiteReport[] = [];
    const finished = new Promise<void>((resolve) => {
      rerun = new AutoRerun({
        services: { workspace: workspace!, sandbox },
        model: () => server!.client,
        debounceMs: 50,
        onReport: (_procedure, report) => {
          reports.push(report);
          resolve();
        },
      });
    });
    const hub = new EventHub();
    rerun!.attach(hub);
    const api = procedureHandlers(workspace, hub, null);
    let text = GREETING;
    for (const word of ['warmly', 'kindly', 'brightly']) {
      text = GREETING.replace('Say hello', `Say hello ${word}`);
      api['procedures.saveDraft']({ name: 'Greeting', text, expectedHash: workspace.procedures.require('Greeting').draftHash });
    }
    await finished;
    await rerun!.idle();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ total: 2, passed: 2, status: 'finished' });
    const run = workspace.simulations.requireRun(reports[0]!.runs[0]!.runId);
    expect(run.procedureHash).toBe(workspace.procedures.require('Greeting').draftHash);
    expect(workspace.simulations.recordings.snapshotText(run.procedureHash)).toContain('Say hello brightly');
    expect(workspace.simulations.suites.get(reports[0]!.suiteId)?.options.trigger).toBe('draft saved');
  });
});

describe('human review of verdicts', () => {
  it('agrees with or overrules each verdict with a note, changes what the run counts as, and keeps the agreement rate', async () => {
    workspace = greetingWorkspace(['always-fails', 'steady-a']);
    server = await startModelServer(greetingScript());
    const pinned = pinProcedures(workspace, true);
    const [failing, passing] = workspace.simulations.list();
    const failed = await runSimulation({ workspace, sandbox }, failing!, { model: server.client, pinned });
    const passed = await runSimulation({ workspace, sandbox }, passing!, { model: server.client, pinned });
    expect([failed.status, passed.status]).toEqual(['failed', 'passed']);

    const overruled = reviewVerdict(workspace, failed.runId, 'greets', 'overrule', 'It did say hello; the judge misread it.', 'sam');
    const verdict = overruled.find((check) => check.name === 'greets')!;
    expect(verdict).toMatchObject({ passed: false, effectivePassed: true, judgeWrong: true, review: { decision: 'overrule', note: 'It did say hello; the judge misread it.', reviewer: 'sam' } });
    expect(reviewedStatus(workspace.simulations.requireRun(failed.runId), overruled)).toBe('passed');

    const agreed = reviewVerdict(workspace, passed.runId, 'greets', 'agree');
    expect(reviewedStatus(workspace.simulations.requireRun(passed.runId), agreed)).toBe('passed');
    expect(workspace.simulations.reviews.agreement()).toEqual({ reviewed: 2, agreed: 1, overruled: 1, rate: 0.5 });
    expect(() => reviewVerdict(workspace!, passed.runId, 'no such', 'agree')).toThrow(/has no criterion "no such"; its criteria are "greets"/);
  });
});
