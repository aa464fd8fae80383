// The search's second phase (articles holding only some of the question's terms), on hubs large
// enough that it ranks the rarest terms' articles first or finds every term common.
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { importArticles } from '../../main/knowledge/import';
import { COMMON_TERM_DOCS, FALLBACK_CANDIDATE_DOCS, splitRarest } from '../../main/store/knowledge-search';
import { Workspace } from '../../main/store/workspace';
import { useTempDir } from '../store/helpers';

/** `count` filler articles whose bodies all hold `words`. */
function fillers(prefix: string, count: number, words: string): { title: string; body: string }[] {
  return Array.from({ length: count }, (_, index) => ({ title: `${prefix} filler ${index}`, body: `Some text about ${words} number ${index}.` }));
}

describe('splitRarest', () => {
  const terms = [
    { term: 'gizmo', docs: 700 },
    { term: 'zorblax', docs: 2 },
    { term: 'widget', docs: 400 },
  ];

  it('takes the rarest terms while their articles stay within the budget, the rest apart', () => {
    expect(splitRarest(terms, 500)).toEqual({ rare: [terms[1], terms[2]], other: [terms[0]] });
    expect(splitRarest(terms, 1102)).toEqual({ rare: [terms[1], terms[2], terms[0]], other: [] });
  });

  it('always takes the rarest term, even past the budget', () => {
    expect(splitRarest(terms, 1)).toEqual({ rare: [terms[1]], other: [terms[2], terms[0]] });
  });
});

describe('knowledge search fallback', () => {
  const tempDir = useTempDir();
  let workspace: Workspace;
  beforeEach(() => {
    workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    return () => workspace.close();
  });

  it('finds an article holding only some of the terms, and ranks one holding more of them above it', () => {
    const only = workspace.knowledge.save({ title: 'Zorblax care', body: 'How to clean a zorblax.' }).id;
    const both = workspace.knowledge.save({ title: 'Zorblax gizmo pairing', body: 'Pair the zorblax with a gizmo.' }).id;
    workspace.knowledge.save({ title: 'Unrelated', body: 'Nothing to see here.' });
    // No article holds "flurbix", so no article holds every term: phase 2 answers.
    const hits = workspace.search.search('zorblax gizmo flurbix');
    expect(hits.map((hit) => hit.id)).toEqual([both, only]);
    expect(hits[1]!.snippet).toMatch(/\*\*zorblax\*\*/);
  });

  it('finds nothing, without an error, when no article holds any of the terms', () => {
    workspace.knowledge.save({ title: 'Zorblax care', body: 'How to clean a zorblax.' });
    expect(workspace.search.search('flurbix quxxle')).toEqual([]);
  });

  it('ranks the rarest terms\' articles on every term, and widens to the commoner terms when they are too few', () => {
    // "gizmo" and "widget" together are held by more articles than FALLBACK_CANDIDATE_DOCS, so
    // "zorblax" (2 articles) is ranked first and "gizmo"/"widget" alone fill the list after.
    // (Plain fillers keep "gizmo" in under half the hub, so BM25 gives it some weight.)
    importArticles(workspace.knowledge, [...fillers('gizmo', 700, 'gizmo'), ...fillers('widget', 400, 'widget'), ...fillers('plain', 1500, 'nothing')]);
    expect(700 + 400 + 2).toBeGreaterThan(FALLBACK_CANDIDATE_DOCS);
    const only = workspace.knowledge.save({ title: 'Zorblax care', body: 'How to clean a zorblax.' }).id;
    const both = workspace.knowledge.save({ title: 'Zorblax gizmo pairing', body: 'Pair the zorblax with a gizmo.' }).id;
    const hits = workspace.search.search('zorblax gizmo widget flurbix', { limit: 5 });
    expect(hits.slice(0, 2).map((hit) => hit.id)).toEqual([both, only]);
    expect(hits).toHaveLength(5);
    for (const hit of hits.slice(2)) expect(hit.title).toMatch(/^(gizmo|widget) filler/);
    // Each hit carries its own excerpt.
    for (const hit of hits) expect(hit.snippet).toMatch(/\*\*(zorblax|gizmo|widget)\*\*/);
  });

  it('when every term the hub holds is common, ranks the articles holding all of them first', () => {
    const common = COMMON_TERM_DOCS + 100;
    importArticles(workspace.knowledge, [...fillers('gizmo', common, 'gizmo'), ...fillers('widget', common, 'widget')]);
    const pair = workspace.knowledge.save({ title: 'Notes', body: 'A widget fits a gizmo.' }).id;
    const hits = workspace.search.search('gizmo widget flurbix', { limit: 3 });
    expect(hits[0]!.id).toBe(pair);
    expect(hits).toHaveLength(3);
    // Nothing else holds both: then articles holding one term (in the title, here) fill the list.
    for (const hit of hits.slice(1)) expect(hit.title).toMatch(/^(gizmo|widget) filler/);
  });
});
