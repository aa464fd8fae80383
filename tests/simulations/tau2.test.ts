// τ²-bench tasks imported as simulations, on the fixture in tests/fixtures/tau2/ (copied from the team's fixtures).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Tau2ImportError, parseTau2Tasks } from '../../main/simulations/tau2';
import { importTau2Tasks } from '../../main/simulations/tau2-import';
import { StoreError } from '../../main/store/errors';
import type { Workspace } from '../../main/store/workspace';
import { repoRoot } from '../support/paths';
import { shopWorkspace } from './helpers';

const fixture = resolve(repoRoot, 'tests/fixtures/tau2/retail-tasks.json');
const json = readFileSync(fixture, 'utf8');

let workspace: Workspace | undefined;
afterEach(() => workspace?.close());

describe('τ²-bench import', () => {
  it('maps user_scenario to the customer, nl_assertions and communicate_info to criteria, and actions to expected actions', () => {
    workspace = shopWorkspace();
    const report = importTau2Tasks(workspace, 'Refund request', json, 'retail-tasks.json');
    expect(report.created).toEqual(['τ²-bench retail task 0', 'τ²-bench retail task 1', 'τ²-bench retail task 2']);
    expect(report.updated).toEqual([]);

    const first = workspace.simulations.get('Refund request', 'τ²-bench retail task 0')!.definition;
    expect(first.customer).toMatchObject({
      persona: 'A customer of the company (τ²-bench user scenario).',
      reason: expect.stringContaining('exchange the mechanical keyboard for the same one but with clicky switches'),
      known: 'You are Yusuf Rossi in zip code 19122.',
      unknown: 'You do not remember your email address.',
      behaviour: ['You are detail-oriented and want to make sure everything is addressed in one go.'],
    });
    expect(first.expectedActions).toHaveLength(5);
    expect(first.expectedActions[0]).toEqual({ action: 'find_user_id_by_name_zip', args: { first_name: 'Yusuf', last_name: 'Rossi', zip: '19122' } });
    expect(first.expectedActions[4]).toEqual({
      action: 'exchange_delivered_order_items',
      args: { order_id: '#W2378156', item_ids: ['1151293680', '4983901480'], new_item_ids: ['7706410293', '7747408585'], payment_method_id: 'credit_card_9513926' },
    });
    expect(first.criteria).toEqual([]);
    expect(first.tags).toEqual(['tau2', 'retail']);
    expect(first.description).toContain('τ²-bench also checks its database');

    const third = workspace.simulations.get('Refund request', 'τ²-bench retail task 2')!.definition;
    // Task instructions of "." say nothing: no behaviour line.
    expect(third.customer.behaviour).toEqual([]);
    expect(third.expectedActions).toHaveLength(11);
    expect(third.criteria).toEqual([
      { name: 'assertion 1: Agent should tell the user that there are 10 t-shirt options available.', assertion: 'Agent should tell the user that there are 10 t-shirt options available.' },
      { name: 'communicates "10"', assertion: 'The agent tells the customer "10": it appears in what the agent says.' },
    ]);

    // Importing again updates the same simulations.
    expect(importTau2Tasks(workspace, 'Refund request', json).updated).toHaveLength(3);
    // Beside the example shop's own simulation of it.
    expect(workspace.simulations.list('Refund request').filter((simulation) => simulation.name.startsWith('τ²-bench'))).toHaveLength(3);
  });

  it('refuses what is not a task file, and an unknown Procedure, changing nothing', () => {
    workspace = shopWorkspace();
    const before = workspace.simulations.list();
    expect(() => parseTau2Tasks('{"x": 1}')).toThrow(Tau2ImportError);
    expect(() => parseTau2Tasks('not json', 'tasks.json')).toThrow(/tasks.json is not JSON/);
    expect(() => parseTau2Tasks('[{"id": 1, "user_scenario": {}}]')).toThrow(/\[0\]\.user_scenario\.instructions/);
    expect(() => importTau2Tasks(workspace!, 'No such procedure', json)).toThrow(StoreError);
    expect(workspace.simulations.list()).toEqual(before);
  });
});
