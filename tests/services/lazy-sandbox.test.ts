// The one lazy sandbox (main/assembly/lazy-sandbox.ts): nothing starts until something needs
// Python, it starts once, and only its owner closes it. A fake sandbox stands in for Pyodide.
import { describe, expect, it } from 'vitest';
import { LazySandbox } from '../../main/assembly/lazy-sandbox';
import type { CodeSandbox, EvaluationRequest } from '../../main/sandbox/types';

function fakeSandbox() {
  const calls: string[] = [];
  const sandbox: CodeSandbox = {
    check: async (code) => {
      calls.push(`check ${code}`);
      return [];
    },
    evaluate: async (request) => {
      calls.push(`evaluate ${request.code}`);
      return { ok: true, value: true, attributeWrites: {}, printed: '', durationMs: 0 };
    },
    tryIt: async (request) => {
      calls.push(`tryIt ${request.code}`);
      return { ok: true, attributeWrites: {}, printed: '', durationMs: 0 };
    },
    close: async () => {
      calls.push('close');
    },
  };
  return { sandbox, calls };
}

const request = (code: string): EvaluationRequest => ({ mode: 'condition', code, attributes: {}, data: {}, declared: [], clock: { now: '2026-11-25T10:00:00Z' } });

describe('LazySandbox', () => {
  it('starts nothing until first used, then starts once for every later use', async () => {
    const fake = fakeSandbox();
    let starts = 0;
    const lazy = new LazySandbox(() => {
      starts += 1;
      return fake.sandbox;
    });
    expect(lazy.running).toBe(false);
    await lazy.close();
    expect(starts).toBe(0);
    expect(fake.calls).toEqual([]);

    await Promise.all([lazy.check('x', 'condition'), lazy.evaluate(request('y')), lazy.tryIt(request('z'))]);
    expect(starts).toBe(1);
    expect(lazy.running).toBe(true);
    expect(fake.calls).toEqual(['check x', 'evaluate y', 'tryIt z']);
    await lazy.close();
    expect(fake.calls.at(-1)).toBe('close');
  });

  it('lends a view whose close leaves the sandbox running for its owner', async () => {
    const fake = fakeSandbox();
    const lazy = new LazySandbox(async () => fake.sandbox);
    const borrowed = lazy.shared();
    await borrowed.check('x', 'code');
    await borrowed.close();
    expect(fake.calls).toEqual(['check x']);
    await lazy.close();
    expect(fake.calls).toEqual(['check x', 'close']);
  });

  it('without a starter, every use fails with the message it was given, and close is harmless', async () => {
    const lazy = new LazySandbox(null, 'No Python here.');
    expect(lazy.available).toBe(false);
    await expect(lazy.check('x', 'condition')).rejects.toThrow('No Python here.');
    await expect(lazy.evaluate(request('x'))).rejects.toThrow('No Python here.');
    await expect(lazy.close()).resolves.toBeUndefined();
  });

  it('remembers a start that failed: it is not retried on every call, and close does not throw', async () => {
    let starts = 0;
    const lazy = new LazySandbox(() => {
      starts += 1;
      throw new Error('Pyodide is missing.');
    });
    await expect(lazy.check('x', 'condition')).rejects.toThrow('Pyodide is missing.');
    await expect(lazy.tryIt(request('x'))).rejects.toThrow('Pyodide is missing.');
    expect(starts).toBe(1);
    await expect(lazy.close()).resolves.toBeUndefined();
  });
});
