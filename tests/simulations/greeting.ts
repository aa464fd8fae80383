// A small Procedure and simulations whose persona says how the judge rules on them, for suites
// that run many simulations at once (their requests interleave, so scripts go by content).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workspace } from '../../main/store/workspace';
import { toolCalls, type FakeResponse, type RecordedRequest } from '../support/fake-anthropic';
import { roleOf, verdicts } from './helpers';

export const GREETING = `---
name: Greeting
trigger: The customer says hello.
---

## Greet
Say hello and ask how you can help. @end
`;

/** A workspace with one small Procedure and `count` simulations whose persona names them. */
export function greetingWorkspace(personas: string[]): Workspace {
  const created = Workspace.create(join(mkdtempSync(join(tmpdir(), 'stepwise-suite-')), 'suite.stepwise'));
  created.procedures.create(GREETING);
  for (const persona of personas) {
    created.simulations.save('Greeting', persona, {
      customer: { persona, opening: 'Hello there' },
      criteria: [{ name: 'greets', assertion: 'The agent says hello.' }],
      tags: persona.startsWith('flaky') ? ['flaky'] : [],
    });
  }
  return created;
}

/**
 * The agent greets and ends; the judge passes a simulation unless its persona says how it fails:
 * "always-fails", or "fails-try-N" (its Nth judged try fails).
 */
export function greetingScript(delayMs = 0): (request: RecordedRequest) => FakeResponse {
  const judged = new Map<string, number>();
  return (request) => {
    const role = roleOf(request);
    if (role === 'agent') return { ...toolCalls(['reply', { message: 'Hello! How can I help?' }], ['end_procedure', { summary: 'Greeted.' }]), delayMs };
    if (role === 'judge') {
      const persona = /Persona: ([\w-]+)/.exec(JSON.stringify(request.body.messages))![1]!;
      const tries = (judged.get(persona) ?? 0) + 1;
      judged.set(persona, tries);
      const fails = persona === 'always-fails' || persona === `fails-try-${tries}`;
      return { ...verdicts([fails ? { verdict: 'fail', reasoning: 'No greeting.' } : 'pass']), delayMs };
    }
    return { status: 500, error: { type: 'api_error', message: `unexpected ${role} call` } };
  };
}

