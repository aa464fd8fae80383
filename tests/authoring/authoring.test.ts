// AI authoring against the fake Messages API: a drafted Procedure that comes back invalid and is
// repaired from the diagnostics, simulations generated for every branch, and improvements shown as
// a diff and applied only when accepted.
import { afterEach, describe, expect, it } from 'vitest';
import { draftProcedure } from '../../main/authoring/drafter';
import { applyProposal, proposeImprovement } from '../../main/authoring/improver';
import { checkProcedureText } from '../../main/authoring/procedure-check';
import { generateSimulations, generationTargets, saveGenerated } from '../../main/authoring/simulation-generator';
import { StoreError } from '../../main/store/errors';
import type { Workspace } from '../../main/store/workspace';
import { LOST_PARCEL_DRAFT } from '../api/authoring-fixtures';
import { toolCall, type FakeResponse } from '../support/fake-anthropic';
import { byRole, shopWorkspace, useModelServers, type ModelServer } from '../simulations/helpers';
import { useSandbox } from '../support/fixtures';

const sandbox = useSandbox();

const startModelServer = useModelServers();
let server: ModelServer | undefined;
let workspace: Workspace | undefined;
afterEach(async () => {
  workspace?.close();
});

const write = (text: string, summary = 'Drafted.') => toolCall('write_procedure', { text, summary });

const INVALID = `---
name: Lost parcel
trigger: The customer says their parcel never arrived.
---

## Find the order
Ask for the order number and collect {order_number}. Look it up with @shop.get_orders.

## Check
\`\`\`python
import os
attributes["late"] = True
\`\`\`
`;

// The repaired draft: the API tests' Lost parcel, with a check whose Python (no import now) the sandbox passes.
const VALID = LOST_PARCEL_DRAFT.replace(
  '## Send it again',
  `## Check
\`\`\`python
attributes["order_number"] = attributes["order_number"].strip()
\`\`\`
If the customer is upset:
  - Apologise.

## Send it again`,
);

async function start(author: FakeResponse[]) {
  workspace = shopWorkspace();
  server = await startModelServer(byRole({ author }));
  return { workspace, model: server.client, sandbox };
}

describe('drafting a Procedure', () => {
  it('repairs a draft that does not pass validate from the diagnostics, before showing it', async () => {
    const services = await start([write(INVALID), write(VALID, 'Declared the attribute, dropped the unknown action and the import.')]);
    const article = services.workspace.knowledge.findByTitle('Shipping times and tracking')[0]!;
    const result = await draftProcedure(services, {
      outline: 'Lost parcel: find the order, check it, hand off to the orders team if needed.',
      articles: [{ title: article.title, body: article.body }],
      transcripts: ['customer: my parcel never came\nagent: sorry! what is the order number?'],
    });
    expect(result).toMatchObject({ valid: true, attempts: 2, name: 'Lost parcel', text: VALID });
    expect(result.repairs).toHaveLength(1);
    expect(result.repairs[0]).toContain('[error unknown-action]');
    expect(result.repairs[0]).toContain('> Ask for the order number and collect {order_number}. Look it up with @shop.get_orders.');
    expect(result.repairs[0]).toContain('[error unknown-attribute]');
    // The sandbox's policy check found the import.
    expect(result.repairs[0]).toMatch(/\[error python\].*import/);

    const [first, second] = server!.requests('author');
    expect(first!.body.tool_choice).toEqual({ type: 'tool', name: 'write_procedure' });
    expect(JSON.stringify(first!.body.system)).toContain('@shop.get_order');
    expect(JSON.stringify(first!.body.messages)).toContain('my parcel never came');
    expect(JSON.stringify(first!.body.messages)).toContain('<article title=\\"Shipping times and tracking\\">');
    expect(JSON.stringify(second!.body.messages)).toContain('validate found errors in that Procedure');
    // What it returns passes validate against the workspace.
    expect((await checkProcedureText(services.workspace, result.text, sandbox)).valid).toBe(true);
  });

  it('says what is still wrong when the repairs run out, and never takes an existing name', async () => {
    const taken = VALID.replace('name: Lost parcel', 'name: Damaged order claim');
    const services = await start([write(INVALID), write(INVALID), write(taken)]);
    const result = await draftProcedure(services, { outline: 'Lost parcel.', maxRepairs: 2 });
    expect(result.valid).toBe(false);
    expect(result.attempts).toBe(3);
    expect(result.diagnostics.map((diagnostic) => diagnostic.code)).toContain('name-taken');
  });
});

describe('generating simulations', () => {
  it('asks for the happy path, each branch of each condition, edge cases and difficult customers, and checks it got them', async () => {
    const services = await start([]);
    const targets = generationTargets(services.workspace.procedures.require('Damaged order claim').draftText);
    const customer = { persona: 'Jane', reason: 'Broken kettle.' };
    const full = targets.flatMap((target) => Array.from({ length: target.min }, (_, index) => ({ target: target.id, name: `${target.id} ${index + 1}`, definition: { customer } })));
    const missingBranch = full.filter((entry) => entry.target !== 'step:resolve/cond1/b2');
    const invalid = [...full.slice(0, 1).map((entry) => ({ ...entry, definition: { customer: {} } })), ...full.slice(1)];
    server = await startModelServer(byRole({ author: [toolCall('propose_simulations', { simulations: [...missingBranch.slice(1), invalid[0]] }), toolCall('propose_simulations', { simulations: full })] }));

    const generated = await generateSimulations({ workspace: services.workspace, model: server.client }, 'Damaged order claim');
    expect(targets.map((target) => target.id)).toEqual([
      'happy-path',
      'step:check-the-claim-window/cond1/b1',
      'step:check-the-claim-window/cond1/b2',
      'step:understand-the-damage/cond1/b1',
      'step:resolve/cond1/b1',
      'step:resolve/cond1/b2',
      'edge-cases',
      'difficult-customers',
    ]);
    expect(generated).toHaveLength(10);
    const repair = JSON.stringify(server.requests('author')[1]!.body.messages);
    expect(repair).toContain('the target “Resolve” → Otherwise [target: step:resolve/cond1/b2] needs at least 1 simulation(s), got 0');
    // The model reads each target in the Procedure's words, its id only to answer with.
    const asked = String(server.requests('author')[0]!.body.messages[0]!.content);
    expect(asked).toContain('- “Check the claim window” → days since delivery ≤ 30 [target: step:check-the-claim-window/cond1/b1] (at least 1): ');
    expect(asked).toContain('- “Resolve” → Otherwise [target: step:resolve/cond1/b2] (at least 1): ');
    expect(asked).toContain("in the Procedure's own words (step titles, what a branch tests), never with the target ids");
    expect(asked).not.toMatch(/\n- step:/);
    expect(repair).toContain('is not a valid definition: customer.persona');
    saveGenerated(services.workspace, 'Damaged order claim', generated);
    const saved = services.workspace.simulations.get('Damaged order claim', 'step:resolve/cond1/b2 1')!;
    expect(saved.definition.tags).toEqual(['generated', 'step-resolve-cond1-b2']);
  });
});

describe('improving from feedback', () => {
  it('shows a Procedure change as a diff and applies it only when accepted, refusing a stale proposal', async () => {
    const services = await start([]);
    const before = services.workspace.procedures.require('Damaged order claim').draftText;
    const after = before.replace('Greet the customer briefly and ask', 'Greet the customer by name and ask');
    server = await startModelServer(byRole({ author: [write(after, 'Greets by name.'), write(after, 'Greets by name.')] }));
    const model = server.client;
    const proposal = await proposeImprovement({ ...services, model }, { kind: 'procedure', procedure: 'Damaged order claim' }, 'Greet customers by name.');
    expect(proposal).toMatchObject({ valid: true, added: 1, removed: 1, summary: 'Greets by name.' });
    expect(proposal.patch).toContain('-Greet the customer briefly and ask for their order number, then collect {order_number}.');
    expect(proposal.patch).toContain('+Greet the customer by name and ask for their order number, then collect {order_number}.');
    // Nothing changed yet.
    expect(services.workspace.procedures.require('Damaged order claim').draftText).toBe(before);
    applyProposal(services.workspace, proposal);
    expect(services.workspace.procedures.require('Damaged order claim').draftText).toBe(after);

    const stale = await proposeImprovement({ ...services, model }, { kind: 'procedure', procedure: 'Damaged order claim' }, 'Greet customers by name.');
    services.workspace.procedures.saveDraft('Damaged order claim', `${after}\n`);
    expect(() => applyProposal(services.workspace, stale)).toThrow(StoreError);
    expect(() => applyProposal(services.workspace, stale)).toThrow(/changed after the proposal was made/);
  });

  it('revises a failing simulation, taking the failing run into account', async () => {
    const services = await start([]);
    services.workspace.simulations.save('Damaged order claim', 'Refund', { customer: { persona: 'Jane' }, finalStatus: { status: 'ended' } });
    const revised = { customer: { persona: 'Jane' }, finalStatus: { status: 'handed_off', team: 'Safety team' } };
    server = await startModelServer(byRole({ author: [toolCall('revise_simulation', { definition: revised, summary: 'A sparking kettle is handed to the Safety team.' })] }));
    const proposal = await proposeImprovement({ ...services, model: server.client }, { kind: 'simulation', procedure: 'Damaged order claim', simulation: 'Refund' }, 'It should expect the Safety handoff.');
    expect(proposal.patch).toContain('-    "status": "ended"');
    expect(proposal.patch).toContain('+    "status": "handed_off",');
    applyProposal(services.workspace, proposal);
    expect(services.workspace.simulations.get('Damaged order claim', 'Refund')!.definition.finalStatus).toEqual({ status: 'handed_off', team: 'Safety team' });
  });
});
