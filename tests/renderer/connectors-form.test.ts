// The connectors screen's pure parts: the editor's errors come from the engine's schema, placed by
// field path; the Try form follows the input schema; a run's world is compared path by path.
import { describe, expect, it } from 'vitest';
import { inputControls, inputFromForm } from '../../renderer/src/connectors/schema-form';
import { handlerIssueLines } from '../../renderer/src/connectors/handler-issues';
import { errorAt, fieldWords, setAt, unplacedErrors, validateDefinition } from '../../renderer/src/connectors/validation';
import { diffWorlds } from '../../renderer/src/connectors/world-diff';

const valid = {
  kind: 'http',
  name: 'crm',
  baseUrl: 'https://crm.example.com',
  auth: { type: 'bearer', secret: 'crm_token' },
  actions: [{ name: 'get_customer', description: 'Find one.', method: 'GET', path: '/c/{{input.id}}', inputSchema: { type: 'object' } }],
};

describe('the connector editor\'s checks', () => {
  it('finds nothing wrong with a valid definition', () => {
    expect(validateDefinition(valid)).toEqual({});
  });

  it("places the engine's messages at the fields' paths", () => {
    const errors = validateDefinition(setAt(setAt(valid, ['baseUrl'], 'ftp://x'), ['actions', 0, 'method'], 'POST'));
    // Said with the field's label, not the schema's key.
    expect(errors.baseUrl).toBe('Base URL must start with http:// or https://');
    const retried = validateDefinition(setAt(setAt(valid, ['actions', 0, 'method'], 'POST'), ['actions', 0, 'retries'], 2));
    expect(retried['actions.0.retries']).toContain('is not idempotent');
    // A pasted credential header, and a token typed where a secret's name goes.
    const header = validateDefinition(setAt(valid, ['actions', 0, 'headers'], { Authorization: 'Bearer x' }));
    expect(errorAt(header, 'actions.0.headers', true)).toContain('credentials do not go in headers');
    expect(errorAt(validateDefinition(setAt(valid, ['auth', 'secret'], 'sk live 123')), 'auth', true)).toContain('not by its value');
  });

  it('says the schema\'s messages in the form\'s words, and leaves others as they are', () => {
    expect(fieldWords('the MCP server url must be http(s)')).toBe('URL must start with http:// or https://');
    expect(fieldWords('a GET sends no body; use query')).toBe('a GET sends no body; use query');
  });

  it('says the sandbox\'s findings in a handler with their lines, in order, each once', () => {
    expect(handlerIssueLines([{ line: 4, message: "'os' can't be imported" }, { line: 2, message: 'invalid syntax' }, { line: 4, message: "'os' can't be imported" }])).toEqual(['Line 2: invalid syntax', "Line 4: 'os' can't be imported"]);
  });

  it('lists an error no field shows, so none is left unsaid', () => {
    const errors = validateDefinition({ ...valid, extra: 1 });
    expect(unplacedErrors(errors, ['name', 'baseUrl', 'auth', 'actions'])).toEqual([expect.stringContaining('extra')]);
  });

  it('sets and removes values by path without changing the original', () => {
    const next = setAt(valid, ['actions', 0, 'timeoutMs'], 5000);
    expect((next.actions[0] as Record<string, unknown>).timeoutMs).toBe(5000);
    expect((valid.actions[0] as Record<string, unknown>).timeoutMs).toBeUndefined();
    expect('timeoutMs' in (setAt(next, ['actions', 0, 'timeoutMs'], undefined).actions[0] as object)).toBe(false);
  });
});

describe('the Try form', () => {
  const schema = { type: 'object', properties: { email: { type: 'string', description: 'Their email.' }, amount: { type: 'integer' }, reason: { type: 'string', enum: ['duplicate', 'requested_by_customer'] }, urgent: { type: 'boolean' }, items: { type: 'array' } }, required: ['email'] };

  it('has one control per property, typed by the schema', () => {
    expect(inputControls(schema).map((control) => [control.name, control.kind, control.required])).toEqual([
      ['email', 'text', true],
      ['amount', 'integer', false],
      ['reason', 'enum', false],
      ['urgent', 'boolean', false],
      ['items', 'json', false],
    ]);
  });

  it('builds the input from the texts, leaving empty fields out, and names a field at fault', () => {
    const controls = inputControls(schema);
    expect(inputFromForm(controls, { email: 'a@b.c', amount: '2400', urgent: 'true', items: '[1]', reason: '' })).toEqual({ email: 'a@b.c', amount: 2400, urgent: true, items: [1] });
    expect(() => inputFromForm(controls, { amount: '24.5' })).toThrow('amount: type a whole number');
    expect(() => inputFromForm(controls, { items: '[1,' })).toThrow('items: type a JSON value');
  });
});

describe("a run's world against its start", () => {
  it('lists what was added, removed and changed, by path', () => {
    const before = { orders: [{ id: 1, status: 'open' }], tickets: { next: 4 }, old: true };
    const after = { orders: [{ id: 1, status: 'refunded' }, { id: 2, status: 'new' }], tickets: { next: 4 }, refunds: [{ order: 1 }] };
    expect(diffWorlds(before, after)).toEqual([
      { path: 'orders[0].status', kind: 'changed', before: 'open', after: 'refunded' },
      { path: 'orders[1]', kind: 'added', after: { id: 2, status: 'new' } },
      { path: 'old', kind: 'removed', before: true },
      { path: 'refunds', kind: 'added', after: [{ order: 1 }] },
    ]);
    expect(diffWorlds(before, structuredClone(before))).toEqual([]);
  });
});
