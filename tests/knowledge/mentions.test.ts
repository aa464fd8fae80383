// The Procedure screen's knowledge link finds where a Procedure tells the agent to search the
// knowledge hub, and proposes a test query for each place.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { knowledgeMentions, MAX_MENTIONS, testQuery } from '../../renderer/src/knowledge/mentions';

const example = (file: string) => readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8');

describe('knowledge hub mentions', () => {
  it('find the mention in the example refund Procedure, across its line break, with its step and sentence', () => {
    const text = example('refund-request.md');
    const mentions = knowledgeMentions(text);
    expect(mentions).toHaveLength(1);
    const [mention] = mentions;
    expect(mention!.line).toBe(text.split('\n').findIndex((line) => line.includes('search the')) + 1);
    expect(mention!.step).toBe('Find the order');
    expect(mention!.sentence).toBe("If they can't find it, search the knowledge hub and explain where it is.");
    expect(mention!.query).toBe('Find the order If they find it and explain where it is');
  });

  it('take a list item as its own sentence, and leave the syntax out of the query', () => {
    const text = [
      '---',
      'name: Gift cards',
      'description: Use when customers search the knowledge hub themselves.',
      '---',
      '',
      '## Check the balance',
      'Collect {card_number}.',
      'If the balance is wrong:',
      '  - Search the Knowledge Base for {card_number} rules with @cards.lookup and [[Verify identity]]',
      '  - `data["x"]` @handoff Billing team',
      '',
      '## Wrap up',
      'Searching the knowledge hub is the last resort',
      '',
      'Then say goodbye.',
    ].join('\n');
    const mentions = knowledgeMentions(text);
    // The front matter's description is not an instruction.
    expect(mentions.map((mention) => [mention.line, mention.step, mention.sentence])).toEqual([
      [9, 'Check the balance', 'Search the Knowledge Base for {card_number} rules with @cards.lookup and [[Verify identity]]'],
      [13, 'Wrap up', 'Searching the knowledge hub is the last resort'],
    ]);
    expect(mentions[0]!.query).toBe('Check the balance for card number rules with and');
    expect(mentions[1]!.query).toBe('Wrap up is the last resort');
  });

  it('find none where there is none, and stop at a bound', () => {
    expect(knowledgeMentions(example('verify-identity.md'))).toEqual([]);
    expect(knowledgeMentions('## Start\nThe knowledge hub is searched elsewhere. @end\n')).toEqual([]);
    const many = `## Start\n${'Search the knowledge hub. '.repeat(MAX_MENTIONS + 10)}\n`;
    expect(knowledgeMentions(many)).toHaveLength(MAX_MENTIONS);
    expect(testQuery(null, 'search the knowledge hub')).toBe('');
  });
});
