// Which Procedure texts a trace's labels come from: the one the conversation ran on when known,
// the version a simulation run used, and the other Procedures the trace enters (drafts or live, as
// the run would have loaded them); a text that cannot be had is null, never an error.
import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../../shared/api';
import { fetchText, requestKey, textsWanted } from '../../renderer/src/trace/useTraceLabels';

const event = (type: string, payload: Record<string, unknown>) => ({ type, payload });
const trace = [
  event('procedure_start', { procedure: 'Parcel check', kind: 'main' }),
  event('step_enter', { procedure: 'Parcel check' }),
  event('procedure_start', { procedure: 'Verify identity', kind: 'sub' }),
  event('step_enter', { procedure: 'Verify identity' }),
  event('procedure_start', { procedure: 7 }),
];

describe('the texts a trace is read in', () => {
  it('fetches the other Procedures a preview enters, not the text it already has', () => {
    expect(textsWanted(trace, { known: { name: 'Parcel check', text: '…' }, others: 'draft' })).toEqual([{ name: 'Verify identity', version: 'draft' }]);
    expect(textsWanted(trace, { known: { name: 'Parcel check', text: '…' }, others: 'live' })).toEqual([{ name: 'Verify identity', version: 'live' }]);
    // Routed (no known text): every Procedure the trace enters.
    expect(textsWanted(trace, { known: null, others: 'live' }).map((request) => request.name)).toEqual(['Parcel check', 'Verify identity']);
  });

  it("fetches a simulation run's own version of its Procedure, or the draft, before the trace names it", () => {
    expect(textsWanted([], { main: { name: 'Parcel check', version: 3 }, others: 'live' })).toEqual([{ name: 'Parcel check', version: 3 }]);
    expect(textsWanted(trace, { main: { name: 'Parcel check', version: null }, others: 'draft' })).toEqual([
      { name: 'Parcel check', version: 'draft' },
      { name: 'Verify identity', version: 'draft' },
    ]);
    // Another version of the same Procedure is another text.
    expect(requestKey({ name: 'Parcel check', version: 3 })).not.toBe(requestKey({ name: 'Parcel check', version: 'draft' }));
  });

  it('reads the draft, the live version or a numbered one, and null when it cannot', async () => {
    const asked: string[] = [];
    const api = {
      'procedures.get': async ({ name }: { name: string }) => {
        asked.push(`get ${name}`);
        if (name === 'Gone') throw new ApiCallError('not-found', `There is no Procedure "${name}".`, 'procedures.get');
        return { name, status: 'live', subProcedure: false, draftText: `draft of ${name}`, draftHash: 'h', live: name === 'Never published' ? null : { version: 2, publishedAt: '', note: '', hash: 'h' }, updatedAt: '' };
      },
      'procedures.version': async ({ name, version }: { name: string; version: number }) => {
        asked.push(`version ${name} ${version}`);
        if (version > 2) throw new ApiCallError('not-found', 'no such version', 'procedures.version');
        return { version, publishedAt: '', note: '', hash: 'h', text: `v${version} of ${name}` };
      },
    } as unknown as Parameters<typeof fetchText>[0];
    expect(await fetchText(api, 'Parcel check', 'draft')).toBe('draft of Parcel check');
    expect(await fetchText(api, 'Parcel check', 'live')).toBe('v2 of Parcel check');
    expect(await fetchText(api, 'Parcel check', 1)).toBe('v1 of Parcel check');
    // Never published: what runs is its draft.
    expect(await fetchText(api, 'Never published', 'live')).toBe('draft of Never published');
    expect(await fetchText(api, 'Gone', 'draft')).toBeNull();
    expect(await fetchText(api, 'Parcel check', 9)).toBeNull();
    expect(asked).toEqual(['get Parcel check', 'get Parcel check', 'version Parcel check 2', 'version Parcel check 1', 'get Never published', 'get Gone', 'version Parcel check 9']);
  });
});
