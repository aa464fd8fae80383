// Search snippets as plain text: Markdown syntax removed around the matched terms (a link keeps its
// text), the matches marked with ** only then, so an article's own **bold** never poses as a match.
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { importArticles } from '../../main/knowledge/import';
import { MARK_CLOSE as C, MARK_OPEN as O, plainSnippet } from '../../main/store/knowledge-snippet';
import { Workspace } from '../../main/store/workspace';
import { useTempDir } from '../store/helpers';

describe('plainSnippet', () => {
  it('keeps a link\'s text, drops its target, and marks the match inside it', () => {
    expect(plainSnippet(`Open [My ${O}orders${C}](https://shop.example.com/orders) to see it.`)).toBe('Open My **orders** to see it.');
  });

  it('drops emphasis, code spans, heading, quote and list markers', () => {
    expect(plainSnippet(`## Where\n- Go to *My ${O}orders${C}* and **press** \`Track\`\n> _Note_: 2 days`)).toBe('Where Go to My **orders** and press Track Note: 2 days');
  });

  it('never marks an article\'s own bold as a match', () => {
    const text = plainSnippet(`**Important:** your ${O}order${C} number`);
    expect(text).toBe('Important: your **order** number');
    expect(text.split('**')).toHaveLength(3);
  });

  it('cleans a link the snippet cut at either end', () => {
    expect(plainSnippet(`…My ${O}orders${C}](https://shop.example.com/orders) page`)).toBe('…My **orders** page');
    expect(plainSnippet(`see the [${O}order${C} page`)).toBe('see the [**order** page');
  });

  it('leaves identifiers and plain text alone', () => {
    expect(plainSnippet(`Give the ${O}order_id${C} and 3 * 4 items, snake_case_name.`)).toBe('Give the **order_id** and 3 * 4 items, snake_case_name.');
  });
});

describe('knowledge search snippets', () => {
  const tempDir = useTempDir();
  let workspace: Workspace;
  beforeEach(() => {
    workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    return () => workspace.close();
  });

  it('come back as plain text with only the matched terms in **', () => {
    importArticles(workspace.knowledge, [{ title: 'Tracking', body: 'To track a parcel, open [My orders](https://shop.example.com/orders) and choose **Track parcel**. The *tracking* link is also in your email.', tags: [] }]);
    const [hit] = workspace.search.search('parcel email');
    expect(hit!.snippet).toBe('To track a **parcel**, open My orders and choose Track **parcel**. The tracking link is also in your **email**.');
  });
});
