// The knowledge screen's address carries a search and an open article, so a Procedure's knowledge
// link can open both; anything else in it is ignored, never trusted.
import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from '../../renderer/src/app/route';

describe('the knowledge route', () => {
  it('round-trips a search and an article, and a plain #/knowledge', () => {
    const route = { screen: 'knowledge' as const, query: 'where is my order? & 50% off', article: 42 };
    expect(parseRoute(routeHash(route))).toEqual(route);
    expect(routeHash({ screen: 'knowledge' })).toBe('#/knowledge');
    expect(parseRoute('#/knowledge')).toEqual({ screen: 'knowledge' });
    expect(parseRoute(routeHash({ screen: 'knowledge', query: 'refunds' }))).toEqual({ screen: 'knowledge', query: 'refunds' });
  });

  it('ignores an article that is not a positive whole number', () => {
    for (const article of ['0', '-3', '1.5', 'abc', '1e400', '99999999999999999999']) {
      expect(parseRoute(`#/knowledge?q=x&article=${article}`)).toEqual({ screen: 'knowledge', query: 'x' });
    }
  });
});
