// Counts in the command line's words and the screens' alike: one helper in shared/, "1 run", never
// "1 run(s)" or "1 runs", thousands grouped.
import { describe, expect, it } from 'vitest';
import { formatCount, nounFor, plural } from '../../shared/plural';
import * as screens from '../../renderer/src/ui/plural';

describe('shared plural', () => {
  it('says one run, two runs, and groups a thousand', () => {
    expect(plural(1, 'run')).toBe('1 run');
    expect(plural(2, 'run')).toBe('2 runs');
    expect(plural(1000, 'run')).toBe('1,000 runs');
    expect(plural(0, 'run')).toBe('0 runs');
  });

  it('takes an irregular plural and gives the noun alone', () => {
    expect(plural(1, 'try', 'tries')).toBe('1 try');
    expect(plural(12, 'try', 'tries')).toBe('12 tries');
    expect(nounFor(1, 'customer message')).toBe('customer message');
    expect(formatCount(1234567)).toBe('1,234,567');
  });

  it('is the very helper the screens use, so both say counts alike', () => {
    expect(screens.plural).toBe(plural);
    expect(screens.formatCount).toBe(formatCount);
    expect(screens.nounFor).toBe(nounFor);
  });
});
