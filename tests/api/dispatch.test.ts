// The dispatcher: input and output checked against the contract, errors as codes and messages.
import { describe, expect, it } from 'vitest';
import { METHODS } from '../../shared/api';
import { createDispatch, type Handlers } from '../../main/api/dispatch';
import { ServiceError } from '../../main/api/errors';
import { StoreError } from '../../main/store/errors';
import { useEngine } from './helpers';

function handlers(overrides: Partial<Record<string, (input: unknown) => unknown>>): Handlers {
  const base: Record<string, () => never> = {};
  for (const method of METHODS) base[method] = () => { throw new Error(`not used: ${method}`); };
  return { ...base, ...overrides } as unknown as Handlers;
}

describe('dispatch', () => {
  it('refuses unknown methods and bad input before any handler runs', async () => {
    let ran = false;
    const dispatch = createDispatch(handlers({ 'procedures.get': () => { ran = true; } }), { log: () => {} });
    expect(await dispatch('procedures.drop', {})).toEqual({ ok: false, error: { code: 'unknown-method', message: 'There is no API call named "procedures.drop".' } });
    const bad = await dispatch('procedures.get', { name: 42 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(JSON.stringify(bad)).toContain('name');
    expect(await dispatch('procedures.get', { name: 'x', extra: true })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(ran).toBe(false);
  });

  it('turns thrown errors into codes and messages, never stacks', async () => {
    const logged: string[] = [];
    const dispatch = createDispatch(
      handlers({
        'procedures.get': () => { throw new StoreError('There is no Procedure called "x".', 'not-found'); },
        'procedures.delete': () => { throw new ServiceError('conflict', 'Changed elsewhere.'); },
        'procedures.history': () => { throw new TypeError('Cannot read properties of undefined (reading "x")'); },
      }),
      { log: (line) => logged.push(line) },
    );
    expect(await dispatch('procedures.get', { name: 'x' })).toEqual({ ok: false, error: { code: 'not-found', message: 'There is no Procedure called "x".' } });
    expect(await dispatch('procedures.delete', { name: 'x' })).toEqual({ ok: false, error: { code: 'conflict', message: 'Changed elsewhere.' } });
    const internal = await dispatch('procedures.history', { name: 'x' });
    expect(internal).toEqual({ ok: false, error: { code: 'internal', message: 'procedures.history failed: Cannot read properties of undefined (reading "x")' } });
    expect(JSON.stringify(internal)).not.toContain('    at ');
    expect(logged.join('\n')).toContain('    at '); // the stack goes to the engine's log instead
  });

  it('answers "locked", not "internal", when the workspace stayed locked past the busy timeout', async () => {
    const logged: string[] = [];
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const dispatch = createDispatch(handlers({ 'procedures.delete': () => { throw busy; } }), { log: (line) => logged.push(line) });
    const result = await dispatch('procedures.delete', { name: 'x' });
    expect(result).toEqual({ ok: false, error: { code: 'locked', message: expect.stringMatching(/^The workspace is locked: another program kept writing to it for more than 5 s, so nothing was changed/) } });
    expect(logged).toEqual([]); // not logged as a bug
  });

  it('refuses to return what the contract does not allow', async () => {
    const dispatch = createDispatch(handlers({ 'procedures.history': () => [{ version: 'one' }] }), { log: () => {} });
    expect(await dispatch('procedures.history', { name: 'x' })).toEqual({
      ok: false,
      error: { code: 'internal', message: 'procedures.history returned an answer that does not match the contract.' },
    });
  });
});

describe('the service over a workspace', () => {
  const engine = useEngine();

  it('lists the example Procedures with draft/live status and sub-procedures marked', async () => {
    const api = engine();
    const list = (await api.call('procedures.list')) as { name: string; status: string; subProcedure: boolean }[];
    expect(list.map((p) => p.name)).toContain('Damaged order claim');
    expect(list.find((p) => p.name === 'Verify identity')).toMatchObject({ status: 'live', subProcedure: true });
    await api.call('procedures.saveDraft', { name: 'Refund request', text: `${((await api.call('procedures.get', { name: 'Refund request' })) as { draftText: string }).draftText}\nMore.\n` });
    expect(((await api.call('procedures.list')) as { name: string; status: string }[]).find((p) => p.name === 'Refund request')?.status).toBe('changed');
  });

  it('creates, duplicates, renames (with the references to it) and deletes', async () => {
    const api = engine();
    const events: unknown[] = [];
    api.hub.subscribe((event, payload) => events.push({ event, payload }));
    const created = (await api.call('procedures.create', { name: 'Lost parcel: tracking' })) as { name: string; status: string; draftText: string };
    expect(created).toMatchObject({ name: 'Lost parcel: tracking', status: 'draft' });
    expect(created.draftText).toContain('name: "Lost parcel: tracking"');
    await expect(api.call('procedures.create', { name: 'Lost parcel: tracking' })).rejects.toMatchObject({ code: 'conflict' });
    const copy = (await api.call('procedures.duplicate', { name: 'Lost parcel: tracking' })) as { name: string };
    expect(copy.name).toBe('Lost parcel: tracking (copy)');

    await api.call('procedures.rename', { name: 'Verify identity', newName: 'Check identity' });
    const damaged = (await api.call('procedures.get', { name: 'Damaged order claim' })) as { draftText: string };
    expect(damaged.draftText).toContain('[[Check identity]]');
    expect(damaged.draftText).not.toContain('[[Verify identity]]');
    await expect(api.call('procedures.delete', { name: 'Check identity' })).rejects.toMatchObject({ code: 'in-use' });
    await api.call('procedures.delete', { name: 'Lost parcel: tracking (copy)' });
    await expect(api.call('procedures.get', { name: 'Lost parcel: tracking (copy)' })).rejects.toMatchObject({ code: 'not-found' });
    expect(events).toContainEqual({ event: 'procedures.changed', payload: { names: ['Lost parcel: tracking (copy)'], reason: 'deleted' } });
  });

  it('refuses a save over a draft that changed since it was read', async () => {
    const api = engine();
    const detail = (await api.call('procedures.get', { name: 'Refund request' })) as { draftText: string; draftHash: string };
    await api.call('procedures.saveDraft', { name: 'Refund request', text: `${detail.draftText}\nOne.\n`, expectedHash: detail.draftHash });
    await expect(api.call('procedures.saveDraft', { name: 'Refund request', text: `${detail.draftText}\nTwo.\n`, expectedHash: detail.draftHash })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('publishes with a note, keeps history and diffs two versions', { timeout: 60_000 }, async () => {
    const api = engine({ python: true });
    const detail = (await api.call('procedures.get', { name: 'Refund request' })) as { draftText: string };
    const saved = (await api.call('procedures.saveDraft', { name: 'Refund request', text: detail.draftText.replace('## ', '## Greet\nSay hello.\n\n## ') })) as { draftHash: string };
    const published = (await api.call('procedures.publish', { name: 'Refund request', note: 'Greet first', expectedHash: saved.draftHash })) as { version: number; note: string };
    expect(published).toMatchObject({ version: 2, note: 'Greet first' });
    const history = (await api.call('procedures.history', { name: 'Refund request' })) as { version: number }[];
    expect(history.map((v) => v.version)).toEqual([2, 1]);
    const diff = (await api.call('procedures.diff', { name: 'Refund request', from: 1, to: 2 })) as { added: number; removed: number; to: { text: string } };
    expect(diff.added).toBe(3);
    expect(diff.removed).toBe(0);
    expect(diff.to.text).toContain('## Greet');
    await expect(api.call('procedures.publish', { name: 'Refund request', note: '', expectedHash: saved.draftHash })).rejects.toMatchObject({ code: 'unchanged' });
    const broken = (await api.call('procedures.saveDraft', { name: 'Refund request', text: detail.draftText.replace('## ', '## Broken\nAsk for {no_such_attribute}.\n\n## ') })) as { draftHash: string };
    await expect(api.call('procedures.publish', { name: 'Refund request', note: '', expectedHash: broken.draftHash })).rejects.toMatchObject({ code: 'invalid' });
  });

  it('publishes only Python the sandbox allows: `import os` is refused with its line and the policy\'s words; a clean draft publishes', { timeout: 60_000 }, async () => {
    const api = engine({ python: true });
    const seen = (await api.call('procedures.get', { name: 'Refund request' })) as { draftText: string };
    const text = seen.draftText.replace('from datetime import date', 'import os\nfrom datetime import date');
    const line = text.split('\n').indexOf('import os') + 1;
    const saved = (await api.call('procedures.saveDraft', { name: 'Refund request', text })) as { draftHash: string };
    await expect(api.call('procedures.publish', { name: 'Refund request', note: 'os', expectedHash: saved.draftHash })).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringContaining(`"Refund request" was not published: its draft has 1 error.\n  line ${line}: 'os' can't be imported in a Procedure (Procedures can't use the operating system).`),
    });
    expect(((await api.call('procedures.history', { name: 'Refund request' })) as unknown[]).length).toBe(1);
    const clean = (await api.call('procedures.saveDraft', { name: 'Refund request', text: seen.draftText.replace('## ', '## Greet\nSay hello.\n\n## ') })) as { draftHash: string };
    expect(await api.call('procedures.publish', { name: 'Refund request', note: 'clean', expectedHash: clean.draftHash })).toMatchObject({ version: 2, note: 'clean' });
  });

  it('publishes no Procedure with Python in a session without a sandbox: its Python could not be checked', async () => {
    const api = engine();
    const seen = (await api.call('procedures.get', { name: 'Refund request' })) as { draftText: string };
    const saved = (await api.call('procedures.saveDraft', { name: 'Refund request', text: seen.draftText.replace('## ', '## Greet\nSay hello.\n\n## ') })) as { draftHash: string };
    await expect(api.call('procedures.publish', { name: 'Refund request', note: '', expectedHash: saved.draftHash })).rejects.toMatchObject({
      code: 'invalid',
      message: '"Refund request" was not published: its Python could not be checked (the Python sandbox is not running in this session).',
    });
    expect(((await api.call('procedures.history', { name: 'Refund request' })) as unknown[]).length).toBe(1);
  });

  it('publishes only the draft the caller saw: a draft changed since then is refused as a conflict', async () => {
    const api = engine();
    const seen = (await api.call('procedures.get', { name: 'Refund request' })) as { draftText: string; draftHash: string };
    const mine = (await api.call('procedures.saveDraft', { name: 'Refund request', text: seen.draftText.replace('## ', '## Mine\nSay hello.\n\n## ') })) as { draftHash: string };
    // Another window saves over it before this one publishes.
    await api.call('procedures.saveDraft', { name: 'Refund request', text: seen.draftText.replace('## ', '## Theirs\nSay hi.\n\n## '), expectedHash: mine.draftHash });
    await expect(api.call('procedures.publish', { name: 'Refund request', note: 'mine', expectedHash: mine.draftHash })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/changed elsewhere since you read it/),
    });
    expect(((await api.call('procedures.history', { name: 'Refund request' })) as unknown[]).length).toBe(1); // nothing published
    // Without the hash of what the caller saw, the API does not publish at all.
    await expect(api.call('procedures.publish', { name: 'Refund request', note: 'blind' })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('gives the editor the connectors, Procedures and teams', async () => {
    const api = engine();
    const context = (await api.call('language.context')) as { connectors: { name: string; actions: { name: string }[] }[]; procedures: { name: string; subProcedure: boolean }[]; teams: { name: string }[] };
    expect(context.connectors.find((c) => c.name === 'shop')?.actions.map((a) => a.name)).toContain('get_order');
    expect(context.procedures.find((p) => p.name === 'Verify identity')?.subProcedure).toBe(true);
    expect(context.teams.length).toBeGreaterThan(0);
    await expect(api.call('language.checkPython', { snippets: [{ mode: 'code', code: 'x = 1' }] })).rejects.toMatchObject({ code: 'unavailable' });
  });
});
