// A Procedure's name never holds NUL or another control character, whichever way it arrives:
// created, renamed, or written into the front matter of a saved draft.
import { describe, expect, it } from 'vitest';
import { procedureNameProblem } from '../../main/procedures/name';
import { useEngine } from './helpers';

const BAD = ['Refund\u0000request', 'Refund\nrequest', 'Tab\there', 'Bell\u0007', 'Del\u007f', 'Next line\u0085', 'Line\u2028separator', 'Evil\u202egnp.exe', 'Isolate\u2066x\u2069'];

describe('Procedure names', () => {
  const engine = useEngine();

  it('name the control character and where it is', () => {
    expect(procedureNameProblem('Refund\u0000request')).toBe(
      'The Procedure name "Refund\\u{0}request" contains a control character (U+0000 at character 7); use letters, digits, spaces and punctuation only.',
    );
    for (const name of BAD) expect(procedureNameProblem(name), JSON.stringify(name)).not.toBeNull();
    for (const name of ['Refund request', 'Lost parcel: tracking', 'Remboursement – colis abîmé', 'Rückerstattung (EU)', 'Dev help 👩‍💻', '返金リクエスト']) {
      expect(procedureNameProblem(name), name).toBeNull();
    }
  });

  it('are refused when created or renamed through the API, and nothing changes', async () => {
    const api = engine();
    const before = await api.call('procedures.list');
    for (const name of BAD) {
      await expect(api.call('procedures.create', { name }), JSON.stringify(name)).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('contains a control character') });
      await expect(api.call('procedures.rename', { name: 'Verify identity', newName: name }), JSON.stringify(name)).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('contains a control character') });
    }
    expect(await api.call('procedures.list')).toEqual(before);
    expect(api.workspaceBytes()).not.toContain('Refund\u0000request');
  });

  it('are refused when a saved draft renames itself through its front matter', async () => {
    const api = engine();
    const current = (await api.call('procedures.get', { name: 'Verify identity' })) as { draftText: string; draftHash: string };
    const text = current.draftText.replace(/^name: .*$/m, 'name: "Verify\\0identity"');
    expect(text).not.toBe(current.draftText);
    await expect(api.call('procedures.saveDraft', { name: 'Verify identity', text, expectedHash: current.draftHash })).rejects.toMatchObject({
      code: 'invalid',
      message: 'The Procedure name "Verify\\u{0}identity" contains a control character (U+0000 at character 7); use letters, digits, spaces and punctuation only.',
    });
    expect(((await api.call('procedures.get', { name: 'Verify identity' })) as { draftText: string }).draftText).toBe(current.draftText);
  });
});
