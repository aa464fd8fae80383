// Response-field selection and input templates, on their own.
import { describe, expect, it } from 'vitest';
import { parseFieldPath } from '../../main/connectors/field-paths';
import { selectFields } from '../../main/connectors/field-selection';
import { fillJson, fillText, fillUrlTemplate, formEncode, MISSING, TemplateError } from '../../main/connectors/template';

const response = {
  data: [
    { id: 'sub_1', status: 'active', start_date: 1767225600, plan: { nickname: 'Plus', amount: 1200 }, secret_note: 'internal' },
    { id: 'sub_2', status: 'canceled', start_date: 1790812800, plan: { nickname: 'Basic', amount: 600 }, secret_note: 'internal' },
    { id: 'sub_3', status: 'trialing', start_date: 1700000000, plan: null },
  ],
  has_more: false,
};

describe('field selection', () => {
  it('picks fields where they are, merging paths and keeping only the chosen elements', () => {
    expect(selectFields(response, ['data[0].id', 'data[0].plan.nickname', 'data[2].status', 'has_more'])).toEqual({
      data: [{ id: 'sub_1', plan: { nickname: 'Plus' } }, { status: 'trialing' }],
      has_more: false,
    });
    expect(selectFields(response, ['data[*].id', 'data[1].status'])).toEqual({ data: [{ id: 'sub_1' }, { id: 'sub_2', status: 'canceled' }, { id: 'sub_3' }] });
    expect(selectFields(response, ['data[*].plan.amount', 'nothing.here'])).toEqual({ data: [{ plan: { amount: 1200 } }, { plan: { amount: 600 } }, {}] });
    expect(selectFields([{ a: 1, b: 2 }], ['[*].a'])).toEqual([{ a: 1 }]);
    expect(selectFields(response, undefined)).toBe(response);
  });

  it('renames fields, converts values, and gives null for what is missing', () => {
    expect(
      selectFields(response, {
        first: 'data[0].id',
        started: { path: 'data[*].start_date', as: 'date' },
        plans: { path: 'data', fields: { name: 'plan.nickname', cents: { path: 'plan.amount', as: 'string' } } },
        missing: 'data[9].id',
      }),
    ).toEqual({
      first: 'sub_1',
      started: ['2026-01-01', '2026-10-01', '2023-11-14'],
      plans: [
        { name: 'Plus', cents: '1200' },
        { name: 'Basic', cents: '600' },
        { name: null, cents: null },
      ],
      missing: null,
    });
    expect(selectFields({ price: '24.00', bad: 'n/a', at: '2026-11-10T23:30:00-05:00' }, { price: { path: 'price', as: 'number' }, bad: { path: 'bad', as: 'number' }, at: { path: 'at', as: 'date' } })).toEqual({
      price: 24,
      bad: null,
      at: '2026-11-10',
    });
  });

  it('reads paths, and says what is wrong with one that is not', () => {
    expect(parseFieldPath('orders[0].line_items[*].sku')).toEqual([
      { kind: 'key', name: 'orders' },
      { kind: 'index', index: 0 },
      { kind: 'key', name: 'line_items' },
      { kind: 'all' },
      { kind: 'key', name: 'sku' },
    ]);
    expect(parseFieldPath('a.')).toBe('"a." has a "." with no name after it');
    expect(parseFieldPath('a[0]b')).toBe('"a[0]b" needs a "." before "b"');
    expect(parseFieldPath('a[x]')).toMatch(/is not a field path/);
  });
});

describe('templates', () => {
  const input = { order_number: '1043', skus: ['A', 'B'], amount: 2400, nested: { city: 'Lyon' }, note: 'a&b=c' };

  it('fill text, encoding values for where they go, and leave out a lone placeholder with no value', () => {
    expect(fillText('/orders/{{input.order_number}}/{{ input.nested.city }}', input, 'path', { encode: encodeURIComponent, required: true })).toBe('/orders/1043/Lyon');
    expect(fillText('note={{input.note}}', input, 'body', { encode: encodeURIComponent })).toBe('note=a%26b%3Dc');
    expect(fillText('{{input.reason}}', input, 'query.reason')).toBe(MISSING);
    expect(fillText('why: {{input.reason}}', input, 'headers.X-Why')).toBe('why: ');
    expect(fillText('first: {{input.skus[0]}}', input, 'x')).toBe('first: A');
    expect(() => fillText('/orders/{{input.id}}', input, 'path', { required: true })).toThrow('path: the input has no value for {{input.id}}, which the URL needs');
    expect(() => fillText('/orders/{{order_number}}', input, 'path')).toThrow(TemplateError);
    expect(() => fillText('/orders/{{order_number}}', input, 'path')).toThrow('path: "{{order_number}}" is not a placeholder; write {{input.name}} with a field of the action\'s input');
  });

  it('refuse an input that makes a URL path segment "." or "..", in any spelling, and keep "/" from adding segments', () => {
    const path = '/customers/42/orders/{{input.id}}/items';
    for (const id of ['..', '.']) {
      expect(() => fillUrlTemplate(path, { id }, 'path'), id).toThrow(`path: the input makes the path segment "${id}", which would move up the URL's path`);
    }
    // Encoded spellings are encoded again (the "%" becomes "%25"), so they stay one harmless segment.
    expect(fillUrlTemplate(path, { id: '%2e%2e' }, 'path')).toBe('/customers/42/orders/%252e%252e/items');
    expect(fillUrlTemplate(path, { id: '%2E.' }, 'path')).toBe('/customers/42/orders/%252E./items');
    expect(fillUrlTemplate(path, { id: '../..' }, 'path')).toBe('/customers/42/orders/..%2F../items');
    expect(fillUrlTemplate(path, { id: '..\\..' }, 'path')).toBe('/customers/42/orders/..%5C../items');
    // Two placeholders that together make "..", or one next to a literal "%2e", are caught too.
    expect(() => fillUrlTemplate('/a/{{input.x}}{{input.y}}/b', { x: '.', y: '.' }, 'path')).toThrow(TemplateError);
    expect(() => fillUrlTemplate('/a/{{input.x}}%2E/b', { x: '.' }, 'path')).toThrow(TemplateError);
    // Dots inside a longer value, a template's own dot segments, and the query part are left alone.
    expect(fillUrlTemplate(path, { id: '1043.json' }, 'path')).toBe('/customers/42/orders/1043.json/items');
    expect(fillUrlTemplate(path, { id: '...' }, 'path')).toBe('/customers/42/orders/.../items');
    expect(fillUrlTemplate('/a/../{{input.id}}', { id: '7' }, 'path')).toBe('/a/../7');
    expect(fillUrlTemplate('https://api.example.com/v1/{{input.id}}?from={{input.from}}#{{input.id}}', { id: 'x y', from: '..' }, 'url')).toBe('https://api.example.com/v1/x%20y?from=..#x%20y');
    // A stray brace pair across a "/" is still reported.
    expect(() => fillUrlTemplate('/a/{{input/x}}', { x: '1' }, 'path')).toThrow('is not a placeholder');
  });

  it('fill JSON bodies keeping the input\'s types, and encode forms the way Stripe reads them', () => {
    expect(fillJson({ order: { skus: '{{input.skus}}', amount: '{{input.amount}}', label: 'Order {{input.order_number}}', reason: '{{input.reason}}', fixed: 3 } }, input, 'body')).toEqual({
      order: { skus: ['A', 'B'], amount: 2400, label: 'Order 1043', fixed: 3 },
    });
    expect(formEncode({ amount: 2400, metadata: { order: '1043' }, expand: ['charge', 'customer'], skip: undefined })).toBe(
      'amount=2400&metadata%5Border%5D=1043&expand%5B0%5D=charge&expand%5B1%5D=customer',
    );
  });
});
