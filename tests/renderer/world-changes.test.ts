// The world-changes table (renderer/src/connectors/WorldChanges.tsx) that a simulation run's final
// world and the connectors screen's run view share: one sentence for where the world started and
// how much changed (in the same words on both screens), and a row per change with its kind and the
// values before and after. Rendered with React's own server renderer, as the screens render it.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { changesSentence, WorldChanges, type WorldChangesProps } from '../../renderer/src/connectors/WorldChanges';

const render = (props: WorldChangesProps) => renderToStaticMarkup(createElement(WorldChanges, props));
const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&quot;/g, '"').replace(/&#x27;/g, "'");

describe('the world-changes table', () => {
  it('says how many changes, in one wording, with no "1 changes" and no "0 changes"', () => {
    expect(changesSentence(0)).toBe('the run left it as it found it.');
    expect(changesSentence(1)).toBe('1 change.');
    expect(changesSentence(1200)).toBe('1,200 changes.');
  });

  it('lists each change with its kind, the value before and after (— where there was none)', () => {
    const html = render({
      start: { orders: [{ id: 7, status: 'open' }], notes: 'x' },
      final: { orders: [{ id: 7, status: 'refunded' }], refunds: ['re_1'] },
      startedFrom: 'shop',
      unnamedStart: 'an empty world',
    });
    expect(text(html)).toContain('Started from shop; 3 changes.');
    expect(html).toContain('aria-label="World changes"');
    const rows = html.split('<tr data-testid="world-change">').slice(1).map(text);
    expect(rows).toEqual(['orders[0].status changed"open""refunded"', 'notes removed"x"—', 'refunds added—["re_1"]']);
  });

  it('names where an unnamed world came from, and draws no table when the run changed nothing', () => {
    const html = render({ start: { a: 1 }, final: { a: 1 }, startedFrom: null, unnamedStart: "the simulation's own world", label: 'Final world: changes' });
    expect(text(html)).toBe("Started from the simulation's own world; the run left it as it found it.");
    expect(html).not.toContain('<table');
    expect(render({ start: {}, final: { a: 1 }, startedFrom: null, unnamedStart: 'an empty world', label: 'The replay: changes' })).toContain('aria-label="The replay: changes"');
  });
});
