// The one engine assembly (main/assembly/engine.ts): the catalog follows drafts or live versions,
// the workspace's connectors come mocked (each call's record in the trace) or live behind the
// approvals, the sandbox starts only when Python runs, and the app lends its own sandbox to the
// conversations it assembles. In-process: a scripted model, a workspace file, no child process.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../main/assembly/engine';
import { LazySandbox } from '../../main/assembly/lazy-sandbox';
import { startEngine } from '../../main/app/engine';
import { EncryptedFileSecretStore, defaultSecretLocation } from '../../main/secrets/encrypted-file-store';
import { Workspace } from '../../main/store/workspace';
import { crm } from '../api/preview-fixtures';
import { useTempDir } from '../store/helpers';
import { scriptedModel, type ToolCalls } from './scripted-model';

const ORDER = `---
name: Order status
trigger: The customer asks where their order is.
attributes:
  order_id:
    type: string
---

## Look it up
Look the order up with @crm.lookup and tell the customer its status. @end
`;

/** The agent looks order 7 up, then replies with what it saw and ends. */
const lookupThenReply = () =>
  scriptedModel((request, index): ToolCalls => {
    if (request.role !== 'agent') throw new Error(`No ${request.role} calls expected.`);
    if (index === 0) return [['crm__lookup', { id: '7' }]];
    return [['reply', { message: 'It has shipped.' }], ['end_procedure', { summary: 'Told the status.' }]];
  });

describe('createEngine', () => {
  const tempDir = useTempDir();
  const workspaceWithOrder = () => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    workspace.procedures.create(ORDER);
    // Stored as an import leaves it: nothing approved to run live.
    workspace.connectors.save(crm);
    return workspace;
  };
  const counting = () => {
    const starts = { count: 0 };
    return { starts, sandbox: new LazySandbox(() => ((starts.count += 1), Promise.reject(new Error('no Python in this test')))) };
  };

  it("keeps each model call's latency in the trace to a tenth of a millisecond, so the server's model time is not off by rounding", async () => {
    const workspace = workspaceWithOrder();
    try {
      const scripted = lookupThenReply();
      const model = { ...scripted, call: async (...args: Parameters<typeof scripted.call>) => ({ ...(await scripted.call(...args)), latencyMs: 203.456 }) };
      const { engine, close } = createEngine({ workspace, model, draft: true, connectors: { mode: 'mock' }, sandbox: counting().sandbox });
      const id = await engine.start({ kind: 'preview', procedure: 'Order status' });
      await engine.send(id, 'Where is order 7?');
      const latencies = workspace.traces.events(id).filter((event) => event.type === 'model_call').map((event) => event.payload.latencyMs);
      expect(latencies).toEqual([203.5, 203.5]);
      await close();
    } finally {
      workspace.close();
    }
  });

  it('reads drafts or live versions as `draft` says', async () => {
    const workspace = workspaceWithOrder();
    try {
      const live = createEngine({ workspace, model: lookupThenReply(), draft: false, connectors: { mode: 'mock' }, sandbox: counting().sandbox });
      await expect(live.engine.start({ kind: 'preview', procedure: 'Order status' })).rejects.toThrow('There is no live Procedure called "Order status".');
      const draft = createEngine({ workspace, model: lookupThenReply(), draft: true, connectors: { mode: 'mock' }, sandbox: counting().sandbox });
      const id = await draft.engine.start({ kind: 'preview', procedure: 'Order status' });
      expect(workspace.traces.events(id).map((event) => event.type)).toEqual(['procedure_start', 'step_enter']);
      await draft.close();
      await live.close();
    } finally {
      workspace.close();
    }
  });

  it('runs mocked connectors with each call recorded in the trace, and starts no sandbox when no Python runs', async () => {
    const workspace = workspaceWithOrder();
    try {
      const { sandbox, starts } = counting();
      const { engine, close } = createEngine({ workspace, model: lookupThenReply(), draft: true, connectors: { mode: 'mock' }, sandbox });
      const id = await engine.start({ kind: 'preview', procedure: 'Order status' });
      const turn = await engine.send(id, 'Where is order 7?');
      expect(turn.replies).toEqual(['It has shipped.']);
      const call = workspace.traces.events(id).find((event) => event.type === 'connector_call');
      expect(call?.payload).toMatchObject({ action: 'crm.lookup', record: { mode: 'mock' } });
      expect(starts.count).toBe(0);
      await close();
    } finally {
      workspace.close();
    }
  });

  it('runs live connectors through the approval gate: an unapproved one is refused before any request', async () => {
    const workspace = workspaceWithOrder();
    try {
      const { engine, close } = createEngine({ workspace, model: lookupThenReply(), draft: true, connectors: { mode: 'live' }, sandbox: counting().sandbox });
      const id = await engine.start({ kind: 'preview', procedure: 'Order status' });
      await engine.send(id, 'Where is order 7?');
      const refused = workspace.traces.events(id).find((event) => event.type === 'tool_call' && event.payload.tool === 'crm__lookup');
      expect(JSON.stringify(refused?.payload)).toContain('Connector \\"crm\\" is not approved in this workspace');
      await close();
    } finally {
      workspace.close();
    }
  });

  it('names a mock world the workspace does not have, before anything starts', () => {
    const workspace = workspaceWithOrder();
    try {
      const { sandbox, starts } = counting();
      expect(() => createEngine({ workspace, model: lookupThenReply(), draft: true, connectors: { mode: 'mock', world: 'mars' }, sandbox })).toThrow('There is no mock world "mars" in this workspace (it has none).');
      expect(starts.count).toBe(0);
    } finally {
      workspace.close();
    }
  });

  it("lets the app assemble conversations over its workspace, sharing the app's sandbox", async () => {
    const dir = tempDir();
    const workspace = workspaceWithOrder();
    let starts = 0;
    const app = startEngine({
      workspace,
      mode: 'browser',
      settings: { secrets: new EncryptedFileSecretStore(defaultSecretLocation(join(dir, 'w.stepwise'), {})), secretStoreLabel: 'test' },
      startSandbox: async () => {
        starts += 1;
        throw new Error('no Python in this test');
      },
      log: () => undefined,
    });
    try {
      const { engine, close } = app.conversations({ model: lookupThenReply(), draft: true, connectors: { mode: 'mock' } });
      const id = await engine.start({ kind: 'preview', procedure: 'Order status' });
      expect((await engine.send(id, 'Where is order 7?')).replies).toEqual(['It has shipped.']);
      await close();
      // The editor's check and the conversations share one sandbox, started at most once.
      await expect(app.dispatch('language.checkPython', { snippets: [{ code: 'x > 1', mode: 'condition' }] })).resolves.toMatchObject({ ok: false });
      await app.dispatch('language.checkPython', { snippets: [{ code: 'x > 2', mode: 'condition' }] });
      expect(starts).toBe(1);
    } finally {
      await app.close();
    }
  });
});
