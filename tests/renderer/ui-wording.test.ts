// Counts and money in words: the plural helper every screen uses (no "1 errors", no "(s)"),
// thousands grouped, and a cost with no price said as unknown, never $0.0000.
import { describe, expect, it } from 'vitest';
import { costText, formatUsd } from '../../renderer/src/ui/cost';
import { formatCount, nounFor, plural } from '../../renderer/src/ui/plural';
import { relevanceOf } from '../../renderer/src/knowledge/relevance';
import { keyWords } from '../../renderer/src/bundles/key-words';
import { diffSummary } from '../../renderer/src/procedures/diff-summary';
import { currentToasts, dismissToast, durationFor, MAX_VISIBLE, toast, visibleToasts } from '../../renderer/src/ui/toast';

describe('plural', () => {
  it('uses the singular for one and the plural otherwise, zero included', () => {
    expect(plural(1, 'error')).toBe('1 error');
    expect(plural(0, 'error')).toBe('0 errors');
    expect(plural(2, 'model call')).toBe('2 model calls');
  });

  it('takes an irregular plural', () => {
    expect(plural(1, 'try', 'tries')).toBe('1 try');
    expect(plural(3, 'try', 'tries')).toBe('3 tries');
    expect(nounFor(1, 'simulation')).toBe('simulation');
    expect(nounFor(4, 'simulation')).toBe('simulations');
  });

  it('groups thousands', () => {
    expect(plural(5249, 'article')).toBe('5,249 articles');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
  });
});

describe('costText', () => {
  it('says price unknown when no call had a price, never $0.0000', () => {
    expect(costText(0, 3, 3)).toBe('price unknown');
    expect(costText(null, 0)).toBe('price unknown');
  });

  it('gives the priced cost, and says how many calls had no price', () => {
    expect(costText(0.0123, 2, 0)).toBe('$0.0123');
    expect(costText(0.01, 3, 1)).toBe('$0.0100 + 1 call of unknown price');
    expect(costText(0, 0, 0)).toBe('$0.0000');
    expect(formatUsd(1.5)).toBe('$1.5000');
  });
});

describe('knowledge relevance', () => {
  it('places each hit against the best one, as a label and a fraction, the raw score kept for the tooltip', () => {
    const [best, strong, partial, weak, none] = relevanceOf([10, 7.5, 4, 1, 0]);
    expect(best).toMatchObject({ label: 'Best match', fraction: 1 });
    expect(strong).toMatchObject({ label: 'Strong match', fraction: 0.75 });
    expect(partial!.label).toBe('Partial match');
    expect(weak!.label).toBe('Weak match');
    expect(none).toMatchObject({ label: 'Weak match', fraction: 0 });
    expect(best!.detail).toContain('10.00');
    expect(relevanceOf([10.01])[0]!.detail).toContain('10.01');
  });

  it('calls no hit the best when every score is zero', () => {
    expect(relevanceOf([0, 0]).map((r) => r.label)).toEqual(['Weak match', 'Weak match']);
    expect(relevanceOf([])).toEqual([]);
  });
});

describe('toasts', () => {
  it('shows two at most, the rest in turn as those go', () => {
    const ids = [toast({ title: 'a' }), toast({ title: 'b' }), toast({ title: 'c', tone: 'error' })];
    const shown = () => visibleToasts(currentToasts()).map((item) => item.title);
    expect(MAX_VISIBLE).toBe(2);
    expect(shown()).toEqual(['a', 'b']);
    dismissToast(ids[0]!);
    expect(shown()).toEqual(['b', 'c']);
    dismissToast(ids[1]!);
    dismissToast(ids[2]!);
    expect(shown()).toEqual([]);
  });

  it('lets a success go sooner than an error', () => {
    expect(durationFor('success')).toBeLessThan(durationFor('info'));
    expect(durationFor('info')).toBeLessThan(durationFor('error'));
    expect(durationFor('success')).toBeLessThanOrEqual(3_000);
  });
});

describe('the history comparison summary', () => {
  const ref = (label: string, text: string) => ({ label, text }) as never;
  it('says "no differences" for two identical texts', () => {
    expect(diffSummary({ from: ref('v2', 'a\nb'), to: ref('v2', 'a\nb'), added: 0, removed: 0 })).toEqual({ same: true, text: 'v2 → v2: no differences, the two texts are the same.' });
  });

  it('counts the lines added and removed in words', () => {
    expect(diffSummary({ from: ref('v1', 'a'), to: ref('Draft', 'a\nb\nc'), added: 2, removed: 0 })).toEqual({ same: false, text: 'v1 → Draft: 2 lines added, 0 removed', added: 2, removed: 0 });
    expect(diffSummary({ from: ref('v1', 'a'), to: ref('v2', 'b'), added: 1, removed: 1 }).text).toBe('v1 → v2: 1 line added, 1 removed');
  });
});

describe('trusted keys in words', () => {
  it('names the workspace\'s own key, a named key, and says a key trusted on import is unnamed', () => {
    expect(keyWords({ own: true, label: 'this workspace' }).name).toBe('This workspace');
    expect(keyWords({ own: false, label: 'Support team laptop' })).toEqual({ name: 'Support team laptop', detail: null });
    expect(keyWords({ own: false, label: 'trusted on import (2026-11-30)' })).toEqual({ name: 'Unnamed key', detail: 'trusted on import, 2026-11-30' });
    expect(keyWords({ own: false, label: '  ' })).toEqual({ name: 'Unnamed key', detail: null });
  });
});
