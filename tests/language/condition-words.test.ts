// conditionWords: Python tests in plain words for the graph, or null (the graph then shows the code).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionWords } from '../../shared/procedure';

describe('conditionWords', () => {
  it.each([
    ['attributes["days_since_delivery"] <= 30', 'days since delivery ≤ 30'],
    ['attributes["days_since_delivery"] > 30', 'days since delivery > 30'],
    ['attributes["refund_amount"] >= 200.5', 'refund amount ≥ 200.5'],
    ['attributes["refund_amount"] < -1', 'refund amount < -1'],
    ['attributes["preferred_resolution"] == "refund"', 'preferred resolution is “refund”'],
    ["attributes['preferred_resolution'] != 'refund'", 'preferred resolution is not “refund”'],
    ['data["shop.get_order"]["status"] != "delivered"', 'status from shop.get_order is not “delivered”'],
    ['data["accounts.check_code"]["valid"]', 'valid from accounts.check_code'],
    ['not data["accounts.lookup_account"]["found"]', 'not found from accounts.lookup_account'],
    ['attributes["has_email_access"] == False', 'has email access is false'],
    ['attributes["account_locked"]', 'account locked'],
    ['attributes["reason"] in ["wrong_size", "other"]', 'reason is one of “wrong_size”, “other”'],
    ['attributes["reason"] not in ["other"]', 'reason is not one of “other”'],
    ['"SKU-1" in attributes["returned_skus"]', 'returned skus contains “SKU-1”'],
    ['"SKU-1" not in attributes["returned_skus"]', 'returned skus does not contain “SKU-1”'],
    ['attributes["note"] is None', 'note is not set'],
    ['attributes["note"] is not None', 'note is set'],
    ['attributes.get("note") == None', 'note is not set'],
    ['len(attributes["returned_skus"]) > 3', 'number of returned skus > 3'],
    ['data["shop.get_order"]', 'result of shop.get_order'],
    ['attributes["a"] > 1 and attributes["b"] < 2', 'a > 1 and b < 2'],
    ['attributes["a"] > 1 or attributes["b"] < 2 and attributes["c"]', 'a > 1 or (b < 2 and c)'],
    ['(attributes["a"] or attributes["b"]) and attributes["c"]', '(a or b) and c'],
    ['not (attributes["a"] and attributes["b"])', 'not (a and b)'],
    ['  `attributes["a"] == 1`  ', 'a is 1'],
  ])('says %s as "%s"', (code, words) => {
    expect(conditionWords(code)).toBe(words);
  });

  it.each([
    ['calls other than len()', 'today() > attributes["deadline"]'],
    ['nested calls', 'len(str(attributes["a"])) > 1'],
    ['arithmetic', 'attributes["a"] + 1 > 3'],
    ['bare names', 'order > 3'],
    ['attribute access', 'attributes["order"].status == "x"'],
    ['computed keys', 'attributes[key] == 1'],
    ['numeric keys', 'data["shop.get_order"]["items"][0] == 1'],
    ['empty keys', 'attributes[""] == 1'],
    ['comparison chains', '1 < attributes["a"] < 3'],
    ['unbalanced brackets', 'attributes["a"'],
    ['unbalanced parentheses', '((attributes["a"] == 1)'],
    ['an extra closing bracket', 'attributes["a"]] == 1'],
    ['an unterminated string', 'attributes["a] == 1'],
    ['escapes in strings', 'attributes["a"] == "x\\"y"'],
    ['a lone literal', 'True'],
    ['a lone list', '[1, 2]'],
    ['a dangling operator', 'attributes["a"] =='],
    ['a dangling and', 'attributes["a"] and'],
    ['lambdas', 'lambda x: x'],
    ['walrus', '(x := 1)'],
    ['nothing', ''],
    ['only spaces', '   '],
    ['unicode operators', 'attributes["a"] ≤ 3'],
    ['very long input', `${'attributes["a"] and '.repeat(40)}attributes["b"]`],
    ['very deep nesting', `${'('.repeat(60)}attributes["a"]${')'.repeat(60)}`],
    ['many nots', `${'not '.repeat(60)}attributes["a"]`],
  ])('returns null for %s', (_what, code) => {
    expect(conditionWords(code)).toBeNull();
  });

  it('keeps unicode in names and values', () => {
    expect(conditionWords('attributes["größe"] == "über 9 €"')).toBe('größe is “über 9 €”');
  });

  it('never throws, whatever the input, and answers a non-empty string or null', () => {
    const pieces = fc.constantFrom('attributes', 'data', '["x"]', '[', ']', '(', ')', '"', "'", ' and ', ' or ', 'not ', ' in ', ' is ', 'None', '==', '<=', '>', '1', 'len', '.get(', ',', '\\', '\n', 'é', '😀');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(pieces, { maxLength: 40 }).map((parts) => parts.join(''))), (input) => {
        const result = conditionWords(input);
        expect(result === null || (typeof result === 'string' && result.length > 0)).toBe(true);
      }),
      { numRuns: 2000, seed: 15 },
    );
  });

  it('never throws on values that are not strings at runtime', () => {
    expect(conditionWords(undefined as unknown as string)).toBeNull();
    expect(conditionWords(42 as unknown as string)).toBeNull();
  });
});
