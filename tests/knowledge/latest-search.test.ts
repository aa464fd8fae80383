// Search as you type on the knowledge screen: one search in flight at a time, only the newest text
// typed meanwhile is sent after it, only the newest answer is shown, and a text that differs from
// the shown one by spaces or case alone is answered without asking the engine again.
import { describe, expect, it } from 'vitest';
import { LatestOnlySearch, searchKey } from '../../renderer/src/knowledge/latest-search';

function harness() {
  const sent: string[] = [];
  const waiting: { text: string; resolve: (value: string[]) => void; reject: (error: Error) => void }[] = [];
  const shown: [string, string[]][] = [];
  const failures: string[] = [];
  const search = new LatestOnlySearch<string[]>(
    (text) =>
      new Promise((resolve, reject) => {
        sent.push(text);
        waiting.push({ text, resolve, reject });
      }),
    (text, value) => shown.push([text, value]),
    (message) => failures.push(message),
  );
  /** Answers the oldest request in flight, and lets the search go on. */
  const answer = async (value?: string[]) => {
    const next = waiting.shift()!;
    next.resolve(value ?? [`hits for ${next.text}`]);
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { search, sent, shown, failures, waiting, answer };
}

describe('search as you type', () => {
  it('sends one search at a time, then only the newest text typed meanwhile, and shows only its answer', async () => {
    const { search, sent, shown, answer } = harness();
    search.ask('p');
    search.ask('pa');
    search.ask('par');
    search.ask('parc');
    expect(sent).toEqual(['p']);
    await answer();
    // "p" is answered but no longer wanted; "pa" and "par" are never sent.
    expect(shown).toEqual([]);
    expect(sent).toEqual(['p', 'parc']);
    await answer();
    expect(shown).toEqual([['parc', ['hits for parc']]]);
  });

  it('answers a text that differs by spaces or case alone from the answer it has, without a request', async () => {
    const { search, sent, shown, answer } = harness();
    search.ask('refund');
    await answer();
    search.ask('refund ');
    search.ask('  Refund');
    expect(sent).toEqual(['refund']);
    expect(shown.map(([text]) => text)).toEqual(['refund', 'refund ', '  Refund']);
    expect(shown[2]![1]).toEqual(['hits for refund']);
    // A different text is asked for; so is the same one once the hub changed.
    search.ask('refund c');
    await answer();
    search.ask('refund', true);
    expect(sent).toEqual(['refund', 'refund c', 'refund']);
    await answer(['new hits']);
    expect(shown.at(-1)).toEqual(['refund', ['new hits']]);
  });

  it('shows nothing of a search the box was emptied after, and reports a failure of the newest only', async () => {
    const { search, shown, failures, waiting, answer } = harness();
    search.ask('voucher');
    search.clear();
    await answer();
    expect(shown).toEqual([]);
    search.ask('warranty');
    search.ask('warranty f');
    waiting.shift()!.reject(new Error('first failed'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(failures).toEqual([]);
    waiting.shift()!.reject(new Error('The workspace is locked.'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(failures).toEqual(['The workspace is locked.']);
    // It goes on after a failure.
    search.ask('warranty form');
    await answer();
    expect(shown).toEqual([['warranty form', ['hits for warranty form']]]);
  });

  it('keys texts as the engine reads them: case and spacing aside, nothing else', () => {
    expect(searchKey('  Parcel   Tracking ')).toBe('parcel tracking');
    expect(searchKey('parcel tracking?')).not.toBe(searchKey('parcel tracking'));
  });
});
