// The knowledge screen's calls: a staged import (files read and checked per batch, unreadable
// files and duplicates reported by name, nothing written before the commit, nothing at all after
// a cancel), search with snippets and scores, and reading, editing and deleting an article.
import { describe, expect, it } from 'vitest';
import { useEngine, type TestEngine } from './helpers';

type Outcome = { name: string; articles: number; problems: string[] };
type Hit = { id: number; title: string; snippet: string; score: number };
type Article = { id: number; title: string; body: string; url: string | null; tags: string[] };

const file = (name: string, content: string | Buffer) => ({ name, base64: Buffer.from(content).toString('base64') });
const total = async (api: TestEngine) => ((await api.call('knowledge.list', { limit: 1 })) as { total: number }).total;

describe('the knowledge calls', () => {
  const engine = useEngine();

  it('stages files batch by batch, reports each bad file and duplicate, and writes only on commit', async () => {
    const api = engine();
    const before = await total(api);
    const { importId } = (await api.call('knowledge.importStart')) as { importId: string };
    const first = (await api.call('knowledge.importFiles', {
      importId,
      files: [
        file('returns/gift-wrap.md', '# Gift wrapping\n\nWe wrap parcels in recycled zebrapaper for free.'),
        file('faq.html', '<html><head><title>Parcel lockers</title></head><body><p>Collect from a locker within 5 days.</p></body></html>'),
        file('broken.txt', Buffer.from([0xff, 0xfe, 0x00, 0x41])),
        file('picture.png', 'PNG'),
      ],
    })) as Outcome[];
    expect(first.map((outcome) => [outcome.name, outcome.articles])).toEqual([
      ['returns/gift-wrap.md', 1],
      ['faq.html', 1],
      ['broken.txt', 0],
      ['picture.png', 0],
    ]);
    expect(first[2]!.problems).toEqual(['the file holds binary data, not text']);
    expect(first[3]!.problems[0]).toContain('not a Markdown');
    const second = (await api.call('knowledge.importFiles', {
      importId,
      files: [
        file('copy-of-gift-wrap.md', '# Gift wrapping\n\nWe wrap parcels in recycled zebrapaper for free.'),
        file('more.json', JSON.stringify([{ title: 'Lost parcels', body: 'We open a zebrapaper trace after 10 days.' }, { title: '' }])),
      ],
    })) as Outcome[];
    expect(second[0]).toEqual({ name: 'copy-of-gift-wrap.md', articles: 0, problems: ['the same article as returns/gift-wrap.md: imported once'] });
    expect(second[1]!.articles).toBe(1);
    expect(second[1]!.problems[0]).toMatch(/^entry 1: /);
    // Staged, not written.
    expect(await total(api)).toBe(before);
    expect(await api.call('knowledge.search', { text: 'zebrapaper' })).toEqual([]);
    expect(await api.call('knowledge.importCommit', { importId })).toEqual({ created: 3, updated: 0, unchanged: 0 });
    expect(await total(api)).toBe(before + 3);
    await expect(api.call('knowledge.importCommit', { importId })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('a cancelled import leaves the hub as it was', async () => {
    const api = engine();
    const before = await total(api);
    const { importId } = (await api.call('knowledge.importStart')) as { importId: string };
    await api.call('knowledge.importFiles', { importId, files: [file('a.md', '# Quokka policy\n\nNo quokkas in parcels.')] });
    expect(await api.call('knowledge.importCancel', { importId })).toEqual({ ok: true });
    await expect(api.call('knowledge.importFiles', { importId, files: [file('b.md', '# B\n\nb')] })).rejects.toMatchObject({ code: 'not-found' });
    expect(await total(api)).toBe(before);
    expect(await api.call('knowledge.search', { text: 'quokka' })).toEqual([]);
  });

  it('searches with snippets marking the matched terms and a score, best first', async () => {
    const api = engine();
    await api.call('knowledge.save', { title: 'Wombat deliveries', body: 'Wombat parcels travel by night. Ask the courier.', url: '', tags: ['delivery'] });
    await api.call('knowledge.save', { title: 'Courier list', body: 'Our couriers sometimes carry a wombat mascot.', url: '', tags: [] });
    const hits = (await api.call('knowledge.search', { text: 'wombat' })) as Hit[];
    expect(hits.map((hit) => hit.title)).toEqual(['Wombat deliveries', 'Courier list']);
    expect(hits[0]!.snippet).toContain('**Wombat**');
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(await api.call('knowledge.search', { text: '   ' })).toEqual([]);
  });

  it('reads, edits and deletes an article; a bad edit names the field and changes nothing', async () => {
    const api = engine();
    const created = (await api.call('knowledge.save', { title: 'Opening hours', body: 'Nine to five.', url: 'https://shop.example/hours', tags: ['store'] })) as Article;
    await expect(api.call('knowledge.save', { id: created.id, title: '', body: 'x', url: 'ftp://nope', tags: [] })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('an article needs a title') });
    expect(((await api.call('knowledge.get', { id: created.id })) as Article).title).toBe('Opening hours');
    const edited = (await api.call('knowledge.save', { id: created.id, title: 'Opening times', body: 'Nine to six.', url: '', tags: ['store', 'hours'] })) as Article;
    expect(edited).toMatchObject({ id: created.id, title: 'Opening times', body: 'Nine to six.', url: null, tags: ['store', 'hours'] });
    // What the UI's client sends after its own parse (no URL as null) passes the engine's check too.
    expect(await api.call('knowledge.save', { id: created.id, title: 'Opening times', body: 'Nine to six.', url: null, tags: [] })).toMatchObject({ url: null, tags: [] });
    expect(((await api.call('knowledge.search', { text: 'six' })) as Hit[]).map((hit) => hit.id)).toEqual([created.id]);
    expect(await api.call('knowledge.delete', { id: created.id })).toEqual({ ok: true });
    await expect(api.call('knowledge.get', { id: created.id })).rejects.toMatchObject({ code: 'not-found' });
    await expect(api.call('knowledge.delete', { id: created.id })).rejects.toMatchObject({ code: 'not-found' });
  });
});
