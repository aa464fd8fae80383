// A simulation with live connectors (a real MCP server over stdio, from npm): the connector's results
// are recorded with the model's responses, and the replay serves them back without calling anything.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { saveAuthoredConnector } from '../../main/connectors/grants';
import { pinProcedures } from '../../main/simulations/pinned-procedures';
import { replayRun, runSimulation } from '../../main/simulations/simulate';
import { Workspace } from '../../main/store/workspace';
import { toolCalls } from '../support/fake-anthropic';
import { repoRoot } from '../support/paths';
import { byRole, useModelServers, verdicts, type ModelServer } from './helpers';
import { useSandbox } from '../support/fixtures';

const EVERYTHING = join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

const sandbox = useSandbox();

const startModelServer = useModelServers();
let server: ModelServer | undefined;
let workspace: Workspace | undefined;
afterEach(async () => {
  workspace?.close();
});

const SUM = `---
name: Sum
trigger: The customer wants two numbers added.
---

## Add
Add the customer's two numbers with @everything.get-sum and tell them the sum. @end
`;

function mcpServer(command: string) {
  return {
    kind: 'mcp',
    name: 'everything',
    transport: { type: 'stdio', command, args: [EVERYTHING, 'stdio'] },
    actions: [{ name: 'get-sum', description: 'Adds two numbers.', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } }],
  };
}

describe('a live simulation', () => {
  it('records the connector results and replays them offline', async () => {
    workspace = Workspace.create(join(mkdtempSync(join(tmpdir(), 'stepwise-live-')), 'live.stepwise'));
    // Added by the local user, so the command is approved by that act.
    saveAuthoredConnector(workspace, mcpServer(process.execPath), 'test');
    workspace.procedures.create(SUM);
    const simulation = workspace.simulations.save('Sum', 'Adds', {
      customer: { persona: 'Curious', opening: 'What is 2 plus 40?' },
      connectors: { mode: 'live' },
      expectedActions: [{ action: 'everything.get-sum', args: { a: 2, b: 40 } }],
      finalStatus: { status: 'ended' },
    });
    server = await startModelServer(
      byRole({
        agent: [toolCalls(['everything__get-sum', { a: 2, b: 40 }]), toolCalls(['reply', { message: 'It is 42.' }], ['end_procedure', { summary: 'Added.' }])],
        judge: [verdicts([])],
      }),
    );
    const original = await runSimulation({ workspace, sandbox }, simulation, { model: server.client, pinned: pinProcedures(workspace, true) });
    expect(original.summary).toBe('All 4 checks passed in 1 customer message.');
    const recorded = workspace.simulations.recordings.connectorCalls(original.runId);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ action: 'everything.get-sum', result: { ok: true, data: { text: 'The sum of 2 and 40 is 42.' } } });

    // Neither the model nor the MCP server is reachable now.
    await server.fake.close();
    workspace.connectors.save(mcpServer('/nonexistent/mcp-server'));
    const result = await replayRun({ workspace, sandbox }, original.runId);
    expect(result.differences).toEqual([]);
    expect(result.replay.status).toBe('passed');
    const trace = workspace.traces.events(result.replay.details.conversationId!);
    expect(trace.find((event) => event.type === 'connector_call')?.payload).toMatchObject({ action: 'everything.get-sum', record: { request: { server: 'everything', tool: 'get-sum', arguments: { a: 2, b: 40 } } } });
  });
});
