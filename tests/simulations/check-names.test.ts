// The deterministic checks' names and reasons as the simulations screen shows them: expected
// arguments as "key value" words, not raw JSON, and counts without "(s)".
import { describe, expect, it } from 'vitest';
import { argumentWords, expectedActionChecks, forbiddenActionChecks } from '../../main/simulations/checks';
import { simulationDefinitionSchema } from '../../shared/simulations/definition';
import { SIMULATION } from '../api/simulations-fixtures';

const definition = (extra: Record<string, unknown>) => simulationDefinitionSchema.parse({ ...SIMULATION, ...extra });

describe('check names in words', () => {
  it('says expected arguments as a key: value list', () => {
    expect(argumentWords({ id: '7' })).toBe('id 7');
    expect(argumentWords({ id: 7, refund: true, reason: 'late, damaged' })).toBe('id 7, refund true, reason "late, damaged"');
    expect(argumentWords({ items: ['a'] })).toBe('items ["a"]');
  });

  it('names an expected and a forbidden call without JSON, and counts once or n times', () => {
    const calls = [{ action: 'crm.lookup', input: { id: '7' }, ok: true }];
    const [expected] = expectedActionChecks(definition({ expectedActions: [{ action: 'crm.lookup', args: { id: '7' } }] }), calls);
    expect(expected!.name).toBe('calls crm.lookup with id 7');
    expect(expected!.reason).toBe('Called once.');
    const [forbidden] = forbiddenActionChecks(definition({ forbiddenActions: [{ action: 'crm.lookup' }] }), [...calls, ...calls]);
    expect(forbidden!.name).toBe('never calls crm.lookup');
    expect(forbidden!.reason).toMatch(/^Called 2 times: /);
  });
});
