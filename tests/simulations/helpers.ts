// Shared wiring for the simulation tests: the example shop workspace, the fake Messages API reached
// through the real SDK and model client (a distinct model name per role, so each request says
// whose it is), and scripts per role: the customer, the agent and the judge each get their queue.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelClient } from '../../main/model/client';
import { ModelSettingsSchema, type ModelRole, type ModelSettings } from '../../main/model/settings';
import { loadExamples } from '../../main/services/example-workspace';
import { Workspace } from '../../main/store/workspace';
import { toolCall, type FakeAnthropic, type FakeResponse, type RecordedRequest, type Script } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';

export const ROLE_MODELS: Record<ModelRole, string> = { agent: 'agent-model', customer: 'customer-model', judge: 'judge-model', author: 'author-model' };
const PRICE = { inputPerMTok: 1, outputPerMTok: 5, cacheReadPerMTok: 0.1, cacheWritePerMTok: 1.25 };

export function testSettings(baseURL: string, extra: Partial<ModelSettings> = {}): ModelSettings {
  return ModelSettingsSchema.parse({
    apiKey: 'sk-sim-test',
    baseURL,
    maxRetries: 0,
    models: ROLE_MODELS,
    prices: Object.fromEntries(Object.values(ROLE_MODELS).map((model) => [model, PRICE])),
    ...extra,
  });
}

export function roleOf(request: RecordedRequest): ModelRole {
  const role = (Object.entries(ROLE_MODELS) as [ModelRole, string][]).find(([, model]) => model === request.body.model)?.[0];
  if (!role) throw new Error(`Unexpected model ${request.body.model}`);
  return role;
}

export type RoleQueues = Partial<Record<ModelRole, FakeResponse[]>>;

/** A script that answers each role from its own queue; a role with nothing left gets a 500. */
export function byRole(queues: RoleQueues): Script {
  return (request) => {
    const role = roleOf(request);
    const next = queues[role]?.shift();
    if (next) return next;
    return { status: 500, error: { type: 'api_error', message: `Fake Anthropic: no scripted ${role} response left` } };
  };
}

export interface ModelServer {
  fake: FakeAnthropic;
  client: ModelClient;
  settings: ModelSettings;
  /** Requests of one role, in order. */
  requests(role: ModelRole): RecordedRequest[];
}

/**
 * Call at the top of a test file: starts model servers, each closed by a hook after the test that
 * started it (see tests/support/fixtures.ts), failed or not.
 */
export function useModelServers(): (script: Script) => Promise<ModelServer> {
  const startFake = useFakeAnthropic();
  return async (script) => {
    const fake = await startFake(script);
    const settings = testSettings(fake.url);
    return { fake, client: new ModelClient(settings), settings, requests: (role) => fake.requests.filter((request) => roleOf(request) === role) };
  };
}

/** A new workspace file with the example shop: Procedures, connectors with mocks, worlds, teams, knowledge. */
export function shopWorkspace(): Workspace {
  const workspace = Workspace.create(join(mkdtempSync(join(tmpdir(), 'stepwise-sim-')), 'shop.stepwise'));
  loadExamples(workspace);
  return workspace;
}

// ----- scripts -----------------------------------------------------------------------------------

export const say = (message: string): FakeResponse => toolCall('customer_message', { message, done: false });
export const done = (reason = 'Resolved.'): FakeResponse => toolCall('customer_message', { done: true, reason });

export function verdicts(
  rulings: ('pass' | 'fail' | { verdict: 'pass' | 'fail'; reasoning?: string; failure_due_to?: 'agent' | 'customer' })[],
  customer: { followed_instructions?: boolean; stopped_early?: boolean; reasoning?: string } = {},
): FakeResponse {
  return toolCall('record_verdicts', {
    verdicts: rulings.map((ruling, index) => {
      const entry = typeof ruling === 'string' ? { verdict: ruling } : ruling;
      return { criterion: `C${index + 1}`, reasoning: entry.reasoning ?? `The trace shows it (${entry.verdict}).`, ...entry };
    }),
    customer: { followed_instructions: true, stopped_early: false, reasoning: 'Kept to the persona and facts.', ...customer },
  });
}
