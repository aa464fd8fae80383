// A run's final world as `stepwise simulations show` prints it: where it started, how much it
// changed, one line per change; a run with no world, or one stored before worlds were kept, says so.
import { describe, expect, it } from 'vitest';
import { finalWorldLines } from '../../main/cli/final-world-lines';

describe('finalWorldLines', () => {
  it('prints each change against the world the run started from', () => {
    const start = { shop: { orders: [{ name: '#1043', status: 'shipped' }], open: true }, tickets: [{ id: 1 }] };
    const final = { shop: { orders: [{ name: '#1043', status: 'refunded' }] }, tickets: [{ id: 1 }, { id: 2, team: 'Safety team' }], lookups: ['1043'] };
    expect(finalWorldLines({ state: 'recorded', startedFrom: 'shop', start, final })).toEqual([
      'Final world: started from the mock world "shop"; 4 changes.',
      '  ~ shop.orders[0].status: "shipped" → "refunded"',
      '  - shop.open: true (removed)',
      '  + tickets[1]: {"id":2,"team":"Safety team"}',
      '  + lookups: ["1043"]',
    ]);
  });

  it('says a run that changed nothing left it as it found it, and names an unnamed start', () => {
    expect(finalWorldLines({ state: 'recorded', startedFrom: null, start: { a: 1 }, final: { a: 1 } })).toEqual(["Final world: started from the simulation's own world; the run left it as it found it."]);
  });

  it('keeps a long value to one line', () => {
    const [, line] = finalWorldLines({ state: 'recorded', startedFrom: 'shop', start: {}, final: { note: 'x'.repeat(500) } });
    expect(line!.length).toBeLessThan(140);
    expect(line).toMatch(/^ {2}\+ note: "x+…$/);
  });

  it('says why there is no world, or that none was recorded', () => {
    expect(finalWorldLines({ state: 'none', reason: 'It ran on live connectors: there is no mock world.' })).toEqual(['Final world: none. It ran on live connectors: there is no mock world.']);
    expect(finalWorldLines({ state: 'not_recorded' })).toEqual(['Final world: not recorded (this run was stored before final worlds were kept).']);
  });
});
