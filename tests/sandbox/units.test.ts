// The sandbox's TypeScript parts on their own: attribute writes and types, JSON checks, positions,
// request and option validation. No interpreter needed.
import { describe, expect, it } from 'vitest';
import { computeAttributeWrites, describeValue, typeProblem, type WriteReport } from '../../main/sandbox/attribute-writes';
import { jsonEqual, jsonProblem, type JsonValue } from '../../main/sandbox/json';
import { parseSandboxOptions } from '../../main/sandbox/options';
import { capitalize, located, toDocument } from '../../main/sandbox/positions';
import { InvalidSandboxRequestError, parseEvaluationRequest } from '../../main/sandbox/request';
import { DECLARED, request } from './helpers';

function report(overrides: Partial<WriteReport>): WriteReport {
  return { before: {}, after: {}, returned: null, writeLines: {}, returnLine: null, declared: DECLARED, ...overrides };
}

describe('computeAttributeWrites', () => {
  it('reports changed and new attributes, not unchanged ones', () => {
    const outcome = computeAttributeWrites(
      report({ before: { order_number: '1', customer: { a: [1] } }, after: { order_number: '1', customer: { a: [1, 2] }, verified: true } }),
    );
    expect(outcome).toEqual({ ok: true, writes: { customer: { a: [1, 2] }, verified: true } });
  });

  it('clears a deleted attribute (None)', () => {
    expect(computeAttributeWrites(report({ before: { order_number: '1' }, after: {} }))).toEqual({ ok: true, writes: { order_number: null } });
  });

  it('merges a returned dict into an object attribute and sets dotted paths', () => {
    const outcome = computeAttributeWrites(
      report({
        before: { customer: { name: 'Ada', address: { city: 'Paris' } } },
        after: { customer: { name: 'Ada', address: { city: 'Paris' } } },
        returned: { customer: { address: { zip: '75001' } }, 'customer.tier': 'gold', refund_amount: 3 },
        returnLine: 4,
      }),
    );
    expect(outcome).toEqual({
      ok: true,
      writes: { customer: { name: 'Ada', address: { city: 'Paris', zip: '75001' }, tier: 'gold' }, refund_amount: 3 },
    });
  });

  it('replaces, not merges, a returned value for a non-object attribute', () => {
    const outcome = computeAttributeWrites(report({ before: { skus: ['a'] }, after: { skus: ['a'] }, returned: { skus: ['b'] } }));
    expect(outcome).toEqual({ ok: true, writes: { skus: ['b'] } });
  });

  it('names the attribute, the expected and the actual type, at the line of the write', () => {
    expect(computeAttributeWrites(report({ after: { days_since_delivery: '20' }, writeLines: { days_since_delivery: 3 } }))).toEqual({
      ok: false,
      message: `attribute 'days_since_delivery' must be a number, but the code set it to text ("20"). Convert it with float(...) or int(...)`,
      line: 3,
    });
  });

  it('points a bad returned value at the return line', () => {
    const outcome = computeAttributeWrites(report({ returned: { verified: 'yes' }, returnLine: 7 }));
    expect(outcome).toMatchObject({ ok: false, line: 7, message: expect.stringContaining("'verified' must be True or False") });
  });

  it('refuses undeclared attributes and paths into non-objects', () => {
    expect(computeAttributeWrites(report({ after: { refnd: 1 } }))).toMatchObject({
      ok: false,
      message: expect.stringContaining("sets attribute 'refnd', which this Procedure doesn't declare (declared: customer, damage_description"),
    });
    expect(computeAttributeWrites(report({ returned: { 'skus.first': 'a' }, returnLine: 2 }))).toMatchObject({
      ok: false,
      line: 2,
      message: "the returned key 'skus.first' sets a field inside attribute 'skus', but 'skus' is a list, not a dict",
    });
    expect(computeAttributeWrites(report({ returned: { 'customer..x': 1 } }))).toMatchObject({ ok: false });
  });

  it('refuses __proto__, constructor and prototype in returned keys and merged dicts, before any merge', () => {
    const before = { customer: { tier: 'gold' } };
    for (const key of ['customer.__proto__.isAdmin', 'customer.constructor.prototype.isAdmin', 'customer.prototype', '__proto__.isAdmin']) {
      const outcome = computeAttributeWrites(report({ before, after: before, returned: { [key]: true }, returnLine: 3 }));
      expect(outcome).toMatchObject({ ok: false, line: 3, message: expect.stringMatching(new RegExp(`^the returned key '${key.replace(/\./g, '\\.')}' uses '(__proto__|constructor|prototype)', a name JavaScript reserves`)) });
    }
    // From JSON, as the interpreter's reply arrives: "__proto__" is then an own key, not the prototype.
    const returned = JSON.parse('{"customer": {"address": {"__proto__": {"isAdmin": true}}}}') as WriteReport['returned'];
    const outcome = computeAttributeWrites(report({ before, after: before, returned, returnLine: 4 }));
    expect(outcome).toEqual({
      ok: false,
      line: 4,
      message: "the returned dict for attribute 'customer' holds the key '__proto__', a name JavaScript reserves, which can't be a field of an attribute",
    });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    // Ordinary keys still merge.
    expect(computeAttributeWrites(report({ before, after: before, returned: { 'customer.address.city': 'Lyon' } }))).toEqual({
      ok: true,
      writes: { customer: { tier: 'gold', address: { city: 'Lyon' } } },
    });
  });
});

describe('typeProblem', () => {
  const decl = (type: (typeof DECLARED)[number]['type'], values?: string[]) => ({ name: 'a', type, ...(values ? { values } : {}) });
  it.each([
    ['string', 'x'],
    ['number', 1.5],
    ['boolean', false],
    ['date', '2024-02-29'],
    ['list', [1]],
    ['object', { b: 1 }],
    ['number', null],
  ] as const)('accepts a %s', (type, value) => {
    expect(typeProblem(decl(type), value as JsonValue)).toBeNull();
  });

  it.each([
    ['string', 1, 'must be text, but the code set it to the number 1'],
    ['boolean', 'true', 'must be True or False, but the code set it to text ("true")'],
    ['date', '2023-02-29', 'must be a date (text like "2024-05-10")'],
    ['date', '2024-05-10T09:00:00', 'Use .date() to keep only the date'],
    ['list', { a: 1 }, 'must be a list, but the code set it to a dict'],
    ['object', [1, 2], 'must be a dict, but the code set it to a list of 2 items'],
  ] as const)('refuses for a %s: %j', (type, value, message) => {
    expect(typeProblem(decl(type), value as JsonValue)).toContain(message);
  });

  it('checks enum values', () => {
    expect(typeProblem(decl('enum', ['refund', 'replacement']), 'refund')).toBeNull();
    expect(typeProblem(decl('enum', ['refund', 'replacement']), 'credit')).toBe(
      `attribute 'a' must be one of "refund", "replacement", but the code set it to text ("credit")`,
    );
  });

  it('describes values as Python users see them', () => {
    expect([null, true, 'a'.repeat(50), [], {}].map(describeValue)).toEqual([
      'None',
      'True',
      `text ("${'a'.repeat(37)}...")`,
      'a list of 0 items',
      'a dict',
    ]);
  });
});

describe('JSON checks', () => {
  it('finds what is not plain JSON, with its path', () => {
    expect(jsonProblem({ a: [1, { b: Number.NaN }] })).toBe('$.a[1].b is NaN, not a finite number');
    expect(jsonProblem({ when: new Date(0) })).toBe('$.when is a Date object, not plain JSON');
    expect(jsonProblem({ f: () => 1 })).toBe('$.f is function, which JSON can\'t hold');
    expect(jsonProblem({ u: undefined })).toBe("$.u is undefined, which JSON can't hold");
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(jsonProblem(cycle)).toMatch(/nested more than 100 levels/);
    expect(jsonProblem({ a: [1, 'x', null, true, { b: {} }] })).toBeNull();
  });

  it('compares JSON deeply', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: null }, { a: undefined } as unknown as JsonValue)).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
  });
});

describe('positions', () => {
  it('maps snippet positions to the document', () => {
    expect(toDocument({ line: 3, column: 5 }, { line: 40, column: 7 })).toEqual({ line: 42, column: 11 });
    expect(toDocument({ line: 3, column: null }, { line: 40, column: 7 })).toEqual({ line: 42 });
    expect(toDocument({ line: null, column: null }, { line: 40, column: 7 })).toEqual({});
    expect(toDocument({ line: 2, column: 1 })).toEqual({ line: 2, column: 1 });
  });

  it('words messages', () => {
    expect(located('syntax error: x', 4)).toBe('Line 4: Syntax error: x');
    expect(capitalize('getattr() can only')).toBe('getattr() can only');
    expect(capitalize("'os' can't")).toBe("'os' can't");
    expect(located('the code ran')).toBe('The code ran');
  });
});

describe('request validation', () => {
  it('accepts a well-formed request', () => {
    expect(parseEvaluationRequest(request({ code: 'x = 1', timeoutMs: 500, origin: { line: 1, column: 1 } })).code).toBe('x = 1');
  });

  it.each([
    [{ clock: { now: '10 May 2024' } }, /clock.now must be an ISO timestamp/],
    [{ attributes: { when: new Date(0) } }, /\$.when is a Date object, not plain JSON[\s\S]*at attributes/],
    [{ data: { 'shop.get_order': { total: Number.POSITIVE_INFINITY } } }, /not a finite number/],
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ timeoutMs: 600_000 }, /timeoutMs/],
    [{ mode: 'script' }, /mode/],
    [{ declared: [{ name: 'a', type: 'money' }] }, /declared/],
    [{ origin: { line: 0, column: 1 } }, /origin/],
  ])('refuses %j', (overrides, message) => {
    const bad = { ...request({ code: 'x = 1' }), ...overrides } as Parameters<typeof parseEvaluationRequest>[0];
    expect(() => parseEvaluationRequest(bad)).toThrow(InvalidSandboxRequestError);
    expect(() => parseEvaluationRequest(bad)).toThrow(message);
  });

  it('accepts clocks with or without an offset', () => {
    for (const now of ['2024-05-10T09:30:00Z', '2024-05-10T09:30:00.123+02:00', '2024-05-10T09:30:00']) {
      expect(parseEvaluationRequest(request({ code: '1', clock: { now } })).clock.now).toBe(now);
    }
  });
});

describe('options', () => {
  it('has safe defaults', () => {
    expect(parseSandboxOptions(undefined)).toMatchObject({
      poolSize: 2,
      memoryLimitMb: 256,
      defaultTimeoutMs: 1_000,
      env: {},
      permissionModel: 'auto',
      useSnapshot: true,
      isolateEvaluations: true,
      disablePolicyCheckForTesting: false,
    });
  });

  it('says what is wrong with bad options', () => {
    expect(() => parseSandboxOptions({ poolSize: 0 })).toThrow(/Invalid Python sandbox options:.*poolSize/s);
    expect(() => parseSandboxOptions({ memoryLimitMb: 16 })).toThrow(/memoryLimitMb/);
  });
});
