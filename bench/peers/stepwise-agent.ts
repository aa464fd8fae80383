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
import type { AgentSetup, PeerAgent } from './agent';

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
