// The Python sandbox doing its job: Procedure examples, dates, decimals, attribute writes, errors that
// point at the right line, the check and try-it APIs, and the same answer from every interpreter.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPythonSandbox, InvalidSandboxRequestError, type PythonSandbox } from '../../main/sandbox/index';
import { CLOCK, condition, expectError, expectHealthy, expectOk, request } from './helpers';

const POOL_SIZE = 2;
let sandbox: PythonSandbox;

beforeAll(async () => {
  sandbox = createPythonSandbox({ poolSize: POOL_SIZE });
  await sandbox.ready();
});

afterAll(async () => {
  await sandbox?.close();
});

const DESIGN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/design');

/** The ```python blocks (dedented) and the `If \`...\`:` conditions of a design document. */
function pythonIn(document: string): { blocks: string[]; conditions: string[] } {
  const lines = readFileSync(path.join(DESIGN_DIR, document), 'utf8').split('\n');
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*(?:- )?```python\s*$/.test(lines[i]!)) continue;
    const body: string[] = [];
    for (i += 1; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    const indent = Math.min(...body.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
    blocks.push(body.map((l) => l.slice(indent)).join('\n'));
  }
  const conditions = [...lines.join('\n').matchAll(/If `([^`]+)`:/g)].map((m) => m[1]!);
  return { blocks, conditions };
}

describe('the example Procedures in shared/design', () => {
  const damaged = pythonIn('damaged-order.md');
  const order = {
    delivered_on: '2024-04-20',
    items: [
      { sku: 'KETTLE-1', price: 39.9 },
      { sku: 'MUG-2', price: 12.5 },
      { sku: 'MUG-3', price: 12.5 },
    ],
    damaged_skus: ['KETTLE-1', 'MUG-3'],
  };

  it('finds the examples it is meant to run', () => {
    expect(damaged.blocks).toHaveLength(2);
    expect(damaged.conditions).toHaveLength(2);
  });

  it('computes the claim window from the order and the frozen clock', async () => {
    const result = expectOk(await sandbox.evaluate(request({ code: damaged.blocks[0]!, data: { 'shop.get_order': order } })));
    expect(result.attributeWrites).toEqual({ days_since_delivery: 20 });
    expect(result.printed).toBe('');
  });

  it('branches on the claim window', async () => {
    const window = damaged.conditions[0]!;
    expect(expectOk(await sandbox.evaluate(condition(window, { attributes: { days_since_delivery: 20 } }))).value).toBe(true);
    expect(expectOk(await sandbox.evaluate(condition(window, { attributes: { days_since_delivery: 31 } }))).value).toBe(false);
  });

  it('branches on the preferred resolution', async () => {
    const refund = damaged.conditions[1]!;
    expect(expectOk(await sandbox.evaluate(condition(refund, { attributes: { preferred_resolution: 'refund' } }))).value).toBe(true);
    expect(expectOk(await sandbox.evaluate(condition(refund, { attributes: { preferred_resolution: 'replacement' } }))).value).toBe(false);
  });

  it('adds up the refund for the damaged items only', async () => {
    const result = expectOk(await sandbox.evaluate(request({ code: damaged.blocks[1]!, data: { 'shop.get_order': order } })));
    expect(result.attributeWrites.refund_amount).toBeCloseTo(52.4, 10);
  });

  it('runs the verify-identity example', async () => {
    const verify = pythonIn('verify-identity.md');
    const valid = await sandbox.evaluate(condition(verify.conditions[0]!, { data: { 'accounts.check_code': { valid: true } } }));
    expect(expectOk(valid).value).toBe(true);
    const write = expectOk(await sandbox.evaluate(request({ code: verify.blocks[0]! })));
    expect(write.attributeWrites).toEqual({ verified: true });
  });
});

describe('dates, decimals and regular expressions', () => {
  it('does date arithmetic against the conversation clock', async () => {
    const code = [
      'from datetime import date, datetime, timedelta, timezone',
      'delivered = date(2024, 4, 20)',
      'print((today() - delivered).days, date.today() == today(), today().isoformat())',
      'print(now().isoformat(), datetime.now().isoformat(), datetime.now(timezone.utc).hour)',
      'deadline = delivered + timedelta(days=30)',
      'print(deadline, deadline.strftime("%A"), deadline > today())',
      'print(datetime.strptime("2024-05-01 14:00", "%Y-%m-%d %H:%M").weekday())',
      'attributes["delivered_on"] = delivered',
    ].join('\n');
    const result = expectOk(await sandbox.evaluate(request({ code })));
    expect(result.printed.split('\n')).toEqual([
      '20 True 2024-05-10',
      '2024-05-10T09:30:00+00:00 2024-05-10T09:30:00 9',
      '2024-05-20 Monday True',
      '2',
      '',
    ]);
    expect(result.attributeWrites).toEqual({ delivered_on: '2024-04-20' });
  });

  it('keeps the clock offset: today() is the date where the conversation is', async () => {
    const code = 'print(today(), now().utcoffset())';
    const late = expectOk(await sandbox.evaluate(request({ code, clock: { now: '2024-05-10T23:30:00-05:00' } })));
    expect(late.printed).toBe('2024-05-10 -1 day, 19:00:00\n');
  });

  it('rounds money exactly with decimal', async () => {
    const code = [
      'from decimal import Decimal, ROUND_HALF_UP',
      'total = sum(Decimal(str(p)) for p in data["shop.get_order"]["prices"])',
      'attributes["refund_amount"] = (total * Decimal("0.15")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)',
      'print(total)',
    ].join('\n');
    const result = expectOk(
      await sandbox.evaluate(request({ code, data: { 'shop.get_order': { prices: [0.1, 0.2, 19.99] } } })),
    );
    expect(result.printed).toBe('20.29\n');
    expect(result.attributeWrites).toEqual({ refund_amount: 3.04 });
  });

  it('starts every evaluation with a fresh decimal context', async () => {
    await sandbox.evaluate(request({ code: 'import decimal\ndecimal.getcontext().clear_traps()' }));
    const result = await sandbox.evaluate(request({ code: 'from decimal import Decimal\nDecimal(1) / Decimal(0)' }));
    expect(expectError(result, 'runtime').message).toContain('DivisionByZero');
  });

  it('extracts values with re', async () => {
    const code = [
      'import re',
      'm = re.search(r"order\\s*#?(\\d{4,})", attributes["damage_description"], re.IGNORECASE)',
      'attributes["order_number"] = m.group(1) if m else None',
    ].join('\n');
    const result = expectOk(
      await sandbox.evaluate(request({ code, attributes: { damage_description: 'Broken lid, Order #1043 arrived today' } })),
    );
    expect(result.attributeWrites).toEqual({ order_number: '1043' });
  });
});

describe('attribute writes', () => {
  it('reports only the attributes that changed', async () => {
    const code = 'attributes["order_number"] = attributes["order_number"]\nattributes["verified"] = True';
    const result = expectOk(await sandbox.evaluate(request({ code, attributes: { order_number: '1043', verified: false } })));
    expect(result.attributeWrites).toEqual({ verified: true });
  });

  it('sets attributes from a returned dict, merging nested dicts into object attributes', async () => {
    const code = [
      'if attributes["customer"]["tier"] == "silver":',
      '    return {"customer": {"tier": "gold", "address": {"city": "Lyon"}}, "customer.address.zip": "69001", "verified": True}',
      'return {}',
    ].join('\n');
    const attributes = { customer: { tier: 'silver', name: 'Ada', address: { city: 'Paris', street: '1 rue X' } } };
    const result = expectOk(await sandbox.evaluate(request({ code, attributes })));
    expect(result.attributeWrites).toEqual({
      customer: { tier: 'gold', name: 'Ada', address: { city: 'Lyon', street: '1 rue X', zip: '69001' } },
      verified: true,
    });
  });

  it('lets a block end early with a bare return', async () => {
    const code = 'attributes["verified"] = True\nif attributes["verified"]:\n    return\nattributes["verified"] = False';
    expect(expectOk(await sandbox.evaluate(request({ code }))).attributeWrites).toEqual({ verified: true });
  });

  it('refuses a value of the wrong type, naming the attribute, the expected and the actual type', async () => {
    const result = await sandbox.evaluate(request({ code: 'x = 1\nattributes["days_since_delivery"] = "twenty"' }));
    const error = expectError(result, 'type');
    expect(error.message).toBe(
      `Line 2: Attribute 'days_since_delivery' must be a number, but the code set it to text ("twenty")`,
    );
    expect(error.line).toBe(2);
  });

  it('refuses an enum value that is not listed', async () => {
    const result = await sandbox.evaluate(request({ code: 'attributes["preferred_resolution"] = "store credit"' }));
    expect(expectError(result, 'type').message).toContain(`must be one of "refund", "replacement"`);
  });

  it('refuses attributes the Procedure does not declare', async () => {
    const result = await sandbox.evaluate(request({ code: 'return {"refund": 3}' }));
    expect(expectError(result, 'type').message).toContain(`attribute 'refund', which this Procedure doesn't declare`);
  });

  it('refuses values that are not JSON, and returns that are not dicts', async () => {
    expect(expectError(await sandbox.evaluate(request({ code: 'attributes["skus"] = {"a", "b"}' })), 'type').message).toContain(
      'a set; use a list instead',
    );
    expect(expectError(await sandbox.evaluate(request({ code: 'return [1]' })), 'type').message).toContain(
      'can only return a dict',
    );
  });

  it('never changes the caller\'s objects (inputs are deep copies)', async () => {
    const attributes = { customer: { tier: 'silver' } };
    const data = { 'shop.get_order': { items: [1, 2] } };
    const code = 'data["shop.get_order"]["items"].append(3)\nattributes["customer"]["tier"] = "gold"';
    const result = expectOk(await sandbox.evaluate(request({ code, attributes, data })));
    expect(result.attributeWrites).toEqual({ customer: { tier: 'gold' } });
    expect(attributes).toEqual({ customer: { tier: 'silver' } });
    expect(data).toEqual({ 'shop.get_order': { items: [1, 2] } });
  });
});

describe('conditions', () => {
  it('must give a real bool', async () => {
    const result = await sandbox.evaluate(condition('data["shop.get_order"]["items"]', { data: { 'shop.get_order': { items: [1] } } }));
    expect(expectError(result, 'type').message).toContain('A condition must give True or False, but this one gave a list ([1])');
  });

  it('tolerates leading blanks and keeps columns right', async () => {
    const result = await sandbox.evaluate(condition('  attributes["nope"] > 1', { origin: { line: 7, column: 10 } }));
    const error = expectError(result, 'runtime');
    expect(error).toMatchObject({ line: 7, column: 12 });
  });
});

describe('errors point at the Procedure document', () => {
  it('maps a runtime error to the document line and column', async () => {
    const code = 'order = data["shop.get_order"]\ntotal = 0\ntotal = total / order["count"]';
    const result = await sandbox.evaluate(request({ code, data: { 'shop.get_order': { count: 0 } }, origin: { line: 40, column: 5 } }));
    const error = expectError(result, 'runtime');
    expect(error).toMatchObject({ line: 42, column: 13 });
    expect(error.message).toBe('Line 42: ZeroDivisionError: division by zero');
  });

  it('explains a missing connector result', async () => {
    const result = await sandbox.evaluate(request({ code: 'x = data["shop.get_order"]["id"]', data: { 'crm.find': {} } }));
    expect(expectError(result, 'runtime').message).toBe(
      "Line 1: Data has no result for 'shop.get_order' (results so far: 'crm.find'). Make sure that action runs before this code",
    );
  });

  it('reports syntax errors with the document position', async () => {
    const result = await sandbox.evaluate(request({ code: 'x = [1, 2\ny = 3', origin: { line: 10, column: 3 } }));
    expect(expectError(result, 'syntax')).toMatchObject({ line: 10, column: 7 });
  });
});

describe('check: syntax and policy, without running anything', () => {
  it('accepts good code', async () => {
    expect(await sandbox.check('from datetime import date\nattributes["d"] = today() - date(2024, 1, 1)', 'code')).toEqual([]);
    expect(await sandbox.check('attributes["days"] <= 30', 'condition')).toEqual([]);
  });

  it('lists every problem in place', async () => {
    const issues = await sandbox.check('import os\nx = y.__class__\nprint("{0}".format(x))', 'code');
    expect(issues.map((i) => [i.line, i.column])).toEqual([
      [1, 1],
      [2, 7],
      [3, 13],
    ]);
    expect(issues[0]!.message).toContain("'os' can't be imported");
    expect(issues[1]!.message).toContain("'.__class__'");
    expect(issues[2]!.message).toContain('use an f-string');
  });

  it('reports a syntax error where it is', async () => {
    expect(await sandbox.check('if x\n    y = 1', 'code')).toEqual([{ line: 1, column: 5, message: "Syntax error: expected ':'" }]);
  });

  it('explains that a condition is one expression', async () => {
    const [issue] = await sandbox.check('x = 1', 'condition');
    expect(issue!.message).toContain('A condition must be a single expression');
  });

  it('never runs the code it checks', async () => {
    expect(await sandbox.check('while True:\n    pass', 'code')).toEqual([]);
  });

  it('rejects a malformed call', async () => {
    await expect(sandbox.check('x', 'block' as 'code')).rejects.toThrow(InvalidSandboxRequestError);
  });
});

describe('try it', () => {
  it('returns the result, the attributes written and what was printed', async () => {
    const code = 'print("hello", attributes["order_number"])\nattributes["verified"] = True';
    const result = expectOk(await sandbox.tryIt(request({ code, attributes: { order_number: '1043' } })));
    expect(result).toMatchObject({ attributeWrites: { verified: true }, printed: 'hello 1043\n' });
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('keeps what was printed before an error', async () => {
    const result = await sandbox.tryIt(request({ code: 'print("step 1")\nraise ValueError("no order")' }));
    expect(expectError(result, 'runtime').message).toBe('Line 2: ValueError: no order');
    expect(result.printed).toBe('step 1\n');
  });

  it('validates its request', async () => {
    await expect(sandbox.tryIt(request({ code: '1', clock: { now: 'yesterday' } }))).rejects.toThrow(/clock.now must be an ISO timestamp/);
  });
});

describe('determinism', () => {
  it('gives the same answer on every interpreter of the pool', async () => {
    const code = [
      'import json, statistics, datetime',
      'words = {"refund", "replacement", "damaged", "kettle", "mug", "lid"}',
      'print(list(words), hash("stepwise"), json.dumps({"b": 1, "a": [1.1, 2.2]}), statistics.mean([1, 2, 4]))',
      'print(datetime.datetime.now(), today(), sorted({3.3, 1.1, 2.2}))',
    ].join('\n');
    const runs = await sandbox.evaluateOnEach(request({ code }));
    expect(runs).toHaveLength(POOL_SIZE);
    expect(new Set(runs.map((r) => r.pid)).size).toBe(POOL_SIZE);
    const printed = runs.map((r) => expectOk(r.result).printed);
    expect(new Set(printed).size).toBe(1);
    expect(printed[0]).toContain(`${CLOCK.now.slice(0, 10)} 09:30:00`);
  });

  it('gives the same answer on every run', async () => {
    const code = 'attributes["skus"] = sorted({"b", "a", "c"}) + list({"x", "y", "z"})';
    const results = await Promise.all(Array.from({ length: 6 }, () => sandbox.evaluate(request({ code }))));
    const writes = results.map((r) => JSON.stringify(expectOk(r).attributeWrites));
    expect(new Set(writes).size).toBe(1);
  });

  it('is still healthy', async () => {
    await expectHealthy(sandbox, POOL_SIZE);
    expect(sandbox.stats().replaced, JSON.stringify(sandbox.stats())).toBe(0);
  });
});
