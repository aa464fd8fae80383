import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { importArticles, importKnowledge } from '../../main/knowledge/import';
import { loadExamples } from '../../main/services/example-workspace';
import { plainSnippet } from '../../main/store/knowledge-snippet';
import { Workspace } from '../../main/store/workspace';
import { useTempDir } from '../store/helpers';

describe('knowledge import', () => {
  const tempDir = useTempDir();
  let workspace: Workspace;
  beforeEach(() => {
    workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    return () => workspace.close();
  });

  it('imports Markdown, HTML and text from a folder, and reports each bad file by name', () => {
    const folder = tempDir();
    mkdirSync(join(folder, 'billing'));
    writeFileSync(join(folder, 'order-number.md'), '---\ntitle: Where to find your order number\nurl: https://help.example.com/order\ntags: [orders]\n---\nIt is in the confirmation email.\n');
    writeFileSync(join(folder, 'billing', 'refunds.html'), '<html><head><title>Refunds &amp; returns</title></head><body><h1>Refunds &amp; returns</h1><p>Refunds take <b>5 days</b>.</p><script>alert(1)</script></body></html>');
    writeFileSync(join(folder, 'hours.txt'), 'Opening hours\nWe answer from 8 am to 8 pm.\n');
    writeFileSync(join(folder, 'broken.md'), '---\ntitle: [unclosed\n---\nBody\n');
    writeFileSync(join(folder, 'empty.md'), '   \n');
    writeFileSync(join(folder, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
    writeFileSync(join(folder, 'latin1.txt'), Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a]));
    const report = importKnowledge(workspace.knowledge, folder);
    expect(report.created).toBe(3);
    expect(report.skipped.map((skipped) => skipped.name).sort()).toEqual(['broken.md', 'empty.md', 'latin1.txt', 'logo.png']);
    expect(report.skipped.find((skipped) => skipped.name === 'broken.md')!.reason).toMatch(/front matter is not valid YAML/);
    expect(report.skipped.find((skipped) => skipped.name === 'latin1.txt')!.reason).toMatch(/not UTF-8/);
    const html = workspace.knowledge.findByTitle('Refunds & returns')[0]!;
    expect(html.body).toBe('Refunds take 5 days.');
    expect(workspace.knowledge.findByTitle('Where to find your order number')[0]).toMatchObject({ url: 'https://help.example.com/order', tags: ['orders'] });
    expect(workspace.knowledge.findByTitle('Opening hours')).toHaveLength(1);

    // Importing again updates in place instead of duplicating.
    writeFileSync(join(folder, 'hours.txt'), 'Opening hours\nWe answer from 9 am to 5 pm.\n');
    const again = importKnowledge(workspace.knowledge, folder);
    expect([again.created, again.updated, again.unchanged]).toEqual([0, 1, 2]);
    expect(workspace.knowledge.count()).toBe(3);
  });

  it('imports a JSON array, skipping bad entries by index and title', () => {
    const file = join(tempDir(), 'articles.json');
    writeFileSync(
      file,
      JSON.stringify([
        { title: 'Gift cards', body: 'Gift cards never expire.', tags: ['gifts'] },
        { title: 'No body' },
        { title: 'Bad URL', body: 'x', url: 'javascript:alert(1)' },
        'not an article',
      ]),
    );
    const report = importKnowledge(workspace.knowledge, file);
    expect(report.created).toBe(1);
    expect(report.skipped.map((skipped) => skipped.name)).toEqual(['articles.json[1] ("No body")', 'articles.json[2] ("Bad URL")', 'articles.json[3]']);
    writeFileSync(file, '{ not json');
    expect(importKnowledge(workspace.knowledge, file).skipped[0]).toMatchObject({ name: 'articles.json', reason: expect.stringMatching(/not valid JSON/) });
  });
});

describe('knowledge search', () => {
  const tempDir = useTempDir();
  let workspace: Workspace;
  beforeEach(() => {
    workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    loadExamples(workspace);
    return () => workspace.close();
  });

  it('finds the article that explains where the order number is, for a customer\'s question', () => {
    const hits = workspace.search.search('where do I find my order number');
    expect(hits[0]!.title).toBe('Where to find your order number');
    expect(hits[0]!.snippet).toMatch(/\*\*order\*\* \*\*number\*\*/i);
    expect(hits[0]!.url).toBe('https://help.example-shop.com/articles/order-number');
  });

  it('gives each hit an excerpt of its own article, not of another hit', () => {
    /** The snippet's text pieces (bold marks and "…" cuts removed), each of which must be in the body as plain text (articles are Markdown). */
    const pieces = (snippet: string) => snippet.replaceAll('**', '').split('…').map((piece) => piece.trim()).filter((piece) => piece.length > 0);
    for (const question of ['where do I find my order number', 'my parcel arrived broken', 'refund', 'how do I stop my subscription cancel']) {
      const hits = workspace.search.search(question);
      expect(hits.length, question).toBeGreaterThan(1);
      expect(new Set(hits.map((hit) => hit.snippet)).size, `${question}: every hit carries a different excerpt`).toBe(hits.length);
      for (const hit of hits) {
        const body = plainSnippet(workspace.knowledge.get(hit.id)!.body);
        expect(pieces(hit.snippet).length, `${question} → ${hit.title}`).toBeGreaterThan(0);
        for (const piece of pieces(hit.snippet)) expect(body, `${question} → ${hit.title}`).toContain(piece);
      }
    }
    // The case reported: the order number question's other hits do not carry the damaged-items excerpt.
    const damaged = workspace.knowledge.findByTitle('My item arrived damaged')[0]!;
    for (const hit of workspace.search.search('where do I find my order number').filter((hit) => hit.id !== damaged.id)) {
      expect(hit.snippet).not.toContain('photo of the damage');
    }
  });

  it('ranks with BM25 and stems words: "refunded" finds the refunds policy', () => {
    expect(workspace.search.search('how long until I get refunded')[0]!.title).toBe('Returns and refunds policy');
    expect(workspace.search.search('my parcel arrived broken')[0]!.title).toBe('My item arrived damaged');
    expect(workspace.search.search('forgot password')[0]!.title).toBe('Reset your password');
    expect(workspace.search.search('how do I stop my subscription cancel')[0]!.title).toBe('Cancel your subscription');
  });

  it('treats FTS5 syntax in a question as plain words, and returns nothing for a question of stopwords', () => {
    for (const query of ['order AND (number', '"unbalanced', 'NEAR(order number)', 'title:order', '*', 'order -number ^x']) {
      expect(() => workspace.search.search(query)).not.toThrow();
    }
    expect(workspace.search.search('how do I do it?')).toEqual([]);
  });

  it('keeps the index in step when articles change or go', () => {
    const { id } = workspace.knowledge.save({ title: 'Loyalty points', body: 'Earn one point per dollar.' });
    expect(workspace.search.search('loyalty points')[0]!.id).toBe(id);
    importArticles(workspace.knowledge, [{ title: 'Loyalty points', body: 'Points were retired in 2026.' }]);
    workspace.knowledge.delete(id);
    expect(workspace.search.search('earn dollar point').map((hit) => hit.id)).not.toContain(id);
  });
});
