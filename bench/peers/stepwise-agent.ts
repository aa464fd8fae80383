// Stepwise under the peer bench: the engine as the runtime bench builds it (the example
// Procedures as drafts in a workspace file, the real Python sandbox, the shop connectors), its
// model client pointed at the fake server.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { createEngine } from '../../main/assembly/engine';
import { ModelClient } from '../../main/model/client';
import { ModelSettingsSchema } from '../../main/model/settings';
import { createPythonSandbox } from '../../main/sandbox';
import { exampleWorkspace } from '../../tests/runtime/harness';
import { BENCH_NOW } from '../support/damaged-order';
import type { TraceEvent } from '../../main/runtime/types';
import { toolName, type AgentSetup, type PeerAgent } from './agent';

export function createStepwiseAgent(setup: AgentSetup): PeerAgent {
  const workspace = exampleWorkspace();
  const sandbox = createPythonSandbox({ poolSize: 1 });
  const model = new ModelClient(
    ModelSettingsSchema.parse({
      apiKey: 'bench',
      baseURL: setup.url,
      maxRetries: 0,
      models: { agent: setup.model, customer: setup.model, judge: setup.model, author: setup.model },
    }),
  );
  const { engine } = createEngine({ workspace, model, draft: true, connectors: setup.connectors, sandbox, clock: () => BENCH_NOW });
  return {
    name: 'Stepwise',
    async start() {
      const id = await engine.start({ kind: 'simulation' });
      return {
        async send(customer) {
          const result = await engine.send(id, customer);
          const refused = refusedCalls(result.trace);
          if (refused.length > 0) {
            // A real model, answering the runtime's prompt, would not send these: the script (bench/support/damaged-order.ts) is out of step with the runtime.
            throw new Error(`Stepwise refused the script's ${refused.map((call) => `${call.tool} (${call.result.slice(0, 120)})`).join(', ')}`);
          }
          return result.replies.join('\n');
        },
      };
    },
    async close() {
      await sandbox.close();
      workspace.close();
      rmSync(dirname(workspace.path), { recursive: true, force: true });
    },
  };
}

/** The turn's tool calls the runtime refused, except a confirm action's first ask (refused by design until the customer agrees). */
function refusedCalls(trace: TraceEvent[]): { tool: string; result: string }[] {
  const asked = new Set(trace.flatMap((event) => (event.type === 'action_needs_confirmation' ? [toolName(String(event.payload.action))] : [])));
  return trace.flatMap((event) => {
    if (event.type !== 'tool_call' || event.payload.ok !== false) return [];
    const tool = String(event.payload.tool);
    return asked.has(tool) ? [] : [{ tool, result: String(event.payload.result) }];
  });
}
