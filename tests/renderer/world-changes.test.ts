// What the world-changes table says (renderer/src/connectors/world-changes.ts), shared by a
// simulation run's final world and the connectors screen's run view: one sentence for how much
// changed (the same words on both screens), and a row per change with its kind, its badge's tone
// and the values before and after. The markup is checked in Chromium by tests/e2e/connectors.test.ts
// and tests/e2e/simulations.test.ts.
import { describe, expect, it } from 'vitest';
import { changesSentence, worldChangeRows } from '../../renderer/src/connectors/world-changes';

describe('the world-changes table', () => {
  it('says how many changes in one wording, with no "1 changes" and no "0 changes"', () => {
    expect(changesSentence(0)).toBe('the run left it as it found it.');
    expect(changesSentence(1)).toBe('1 change.');
    expect(changesSentence(1200)).toBe('1,200 changes.');
  });

  it('gives each change its kind, tone and the values before and after (— where there was none)', () => {
    const rows = worldChangeRows({ orders: [{ id: 7, status: 'open' }], notes: 'x' }, { orders: [{ id: 7, status: 'refunded' }], refunds: ['re_1'] });
    expect(rows).toEqual([
      { path: 'orders[0].status', kind: 'changed', tone: 'accent', before: '"open"', after: '"refunded"' },
      { path: 'notes', kind: 'removed', tone: 'warning', before: '"x"', after: '—' },
      { path: 'refunds', kind: 'added', tone: 'success', before: '—', after: '["re_1"]' },
    ]);
  });

  it('has no rows for a run that changed nothing, and keeps a value that is itself null apart from none', () => {
    expect(worldChangeRows({ a: 1 }, { a: 1 })).toEqual([]);
    expect(worldChangeRows({ a: null }, { a: 1 })).toEqual([{ path: 'a', kind: 'changed', tone: 'accent', before: 'null', after: '1' }]);
  });
});
