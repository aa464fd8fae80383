// The Procedure service's rules (main/services/procedures.ts), over a real workspace file and no
// child process: rename with references, the save conflict check, publish's checks, delete refused
// while called, rollback and diff, and one change announced per committed change only.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from '../../shared/procedure';
import { assertDraftUnchanged, ProcedureService, referenceRewrites, starterText, statusOf, type ProcedureChange } from '../../main/services/procedures';
import type { CodeSandbox } from '../../main/sandbox/types';
import { ServiceError } from '../../main/services/errors';
import { StoreError } from '../../main/store/errors';
import { Workspace } from '../../main/store/workspace';
import { procedureText, useTempDir } from '../store/helpers';

const callerText = (name: string, callee: string) => procedureText(name, `## Start\nCheck who it is with [[${callee}]].\n\n## Finish\nSay goodbye. @end`);
const subText = (name: string) => `---\nname: ${name}\nsub_procedure: true\ndescription: Checks who the customer is.\n---\n\n## Ask\nAsk for the email. @end\n`;

describe('Procedure rules, pure', () => {
  it('a status follows the draft and the live version', () => {
    const live = { version: 1, name: 'A', contentHash: 'h1', note: '', author: null, publishedAt: '', republishes: null };
    expect(statusOf({ draftHash: 'h1', live: null })).toBe('draft');
    expect(statusOf({ draftHash: 'h1', live })).toBe('live');
    expect(statusOf({ draftHash: 'h2', live })).toBe('changed');
  });

  it('a starter text parses, names the Procedure and says whether it is a sub-procedure', () => {
    for (const subProcedure of [false, true]) {
      const parsed = parse(starterText('Gift: cards "special"', subProcedure));
      expect(parsed.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
      expect(parsed.document.frontMatter?.header.name).toBe('Gift: cards "special"');
      expect(parsed.document.frontMatter?.header.subProcedure ?? false).toBe(subProcedure);
    }
  });

  it('a rename rewrites only the drafts that reference the old name', () => {
    const rewrites = referenceRewrites(
      [
        { name: 'Refund', draftText: callerText('Refund', 'Verify') },
        { name: 'Hello', draftText: procedureText('Hello') },
        { name: 'Verifying', draftText: callerText('Verifying', 'Verify identity') },
      ],
      'Verify',
      'Check identity',
    );
    expect(rewrites.map((rewrite) => rewrite.name)).toEqual(['Refund']);
    expect(rewrites[0]!.text).toBe(callerText('Refund', 'Check identity'));
  });

  it('a save over a draft that changed meanwhile is a conflict; no expected hash means no check', () => {
    expect(() => assertDraftUnchanged('Refund', 'sha256:new', 'sha256:old')).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringContaining('"Refund" was changed elsewhere') }));
    expect(() => assertDraftUnchanged('Refund', 'sha256:same', 'sha256:same')).not.toThrow();
    expect(() => assertDraftUnchanged('Refund', 'sha256:any', undefined)).not.toThrow();
  });
});

describe('ProcedureService', () => {
  const tempDir = useTempDir();
  /** Texts without Python never reach the sandbox: this one fails the test if asked. */
  const noPython: Pick<CodeSandbox, 'check'> = { check: () => Promise.reject(new Error('the sandbox was asked about a text without Python')) };
  const open = (python: Pick<CodeSandbox, 'check'> = noPython) => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    const changes: ProcedureChange[] = [];
    const service = new ProcedureService(workspace, { python, onChange: (change) => changes.push(change) });
    return { workspace, service, changes };
  };

  it('renames a Procedure and every [[reference]] to it in one change', () => {
    const { workspace, service, changes } = open();
    try {
      workspace.procedures.create(subText('Verify'));
      workspace.procedures.create(callerText('Refund', 'Verify'));
      workspace.procedures.create(procedureText('Hello'));
      const renamed = service.rename('Verify', 'Check identity');
      expect(renamed.name).toBe('Check identity');
      expect(workspace.procedures.get('Verify')).toBeNull();
      expect(workspace.procedures.require('Refund').draftText).toBe(callerText('Refund', 'Check identity'));
      expect(workspace.procedures.require('Hello').draftText).toBe(procedureText('Hello'));
      expect(changes).toEqual([{ names: ['Verify', 'Check identity', 'Refund'], reason: 'renamed' }]);
    } finally {
      workspace.close();
    }
  });

  it('refuses to rename a draft without a name line, and changes nothing, not even its callers', () => {
    const { workspace, service, changes } = open();
    try {
      workspace.procedures.create(subText('Verify'));
      workspace.procedures.create(callerText('Refund', 'Verify'));
      // The store keeps a draft whose name line was removed under its old name.
      const nameless = '---\nsub_procedure: true\ndescription: Checks who the customer is.\n---\n\n## Ask\nAsk. @end\n';
      workspace.procedures.saveDraft('Verify', nameless);
      const before = workspace.procedures.list().map((record) => [record.name, record.draftHash]);
      expect(() => service.rename('Verify', 'Check identity')).toThrow(expect.objectContaining({ code: 'invalid', message: expect.stringContaining('has no name line') }));
      expect(workspace.procedures.list().map((record) => [record.name, record.draftHash])).toEqual(before);
      expect(changes).toEqual([]);
    } finally {
      workspace.close();
    }
  });

  it('saves only over the draft the writer saw, and a new name line is announced as a rename', () => {
    const { workspace, service, changes } = open();
    try {
      const record = workspace.procedures.create(procedureText('Hello'));
      const stale = record.draftHash;
      service.saveDraft('Hello', procedureText('Hello', '## Start\nSay hi. @end'), stale);
      expect(() => service.saveDraft('Hello', procedureText('Hello', '## Start\nLost edit. @end'), stale)).toThrow(ServiceError);
      expect(workspace.procedures.require('Hello').draftText).toContain('Say hi.');
      const renamed = service.saveDraft('Hello', procedureText('Greeting'));
      expect(renamed.name).toBe('Greeting');
      expect(changes).toEqual([
        { names: ['Hello'], reason: 'saved' },
        { names: ['Hello', 'Greeting'], reason: 'renamed' },
      ]);
    } finally {
      workspace.close();
    }
  });

  it('publishes through the workspace checks: a draft calling an unknown Procedure is refused and nothing is announced', async () => {
    const { workspace, service, changes } = open();
    try {
      workspace.procedures.create(callerText('Refund', 'Nobody'));
      await expect(service.publish('Refund', { currentDraft: true })).rejects.toThrow(expect.objectContaining({ code: 'invalid', message: expect.stringContaining('"Refund" was not published') }));
      expect(workspace.procedures.require('Refund').live).toBeNull();
      expect(changes).toEqual([]);

      workspace.procedures.create(subText('Nobody'));
      const published = await service.publish('Refund', { note: 'First', currentDraft: true });
      expect(published).toMatchObject({ version: 1, note: 'First' });
      expect(changes).toEqual([{ names: ['Refund'], reason: 'published' }]);
    } finally {
      workspace.close();
    }
  });

  it('does not delete a Procedure another one calls; deletes it once the call is gone', () => {
    const { workspace, service, changes } = open();
    try {
      workspace.procedures.create(subText('Verify'));
      workspace.procedures.create(callerText('Refund', 'Verify'));
      expect(() => service.delete('Verify')).toThrow(expect.objectContaining({ code: 'in-use', message: expect.stringContaining('"Refund" (draft) calls it') }));
      expect(workspace.procedures.get('Verify')).not.toBeNull();
      expect(changes).toEqual([]);
      service.saveDraft('Refund', procedureText('Refund'));
      service.delete('Verify');
      expect(workspace.procedures.get('Verify')).toBeNull();
      expect(changes.at(-1)).toEqual({ names: ['Verify'], reason: 'deleted' });
    } finally {
      workspace.close();
    }
  });

  it('rolls back by publishing an earlier text as a new version, leaving the draft; diffs count the lines', async () => {
    const { workspace, service } = open();
    try {
      workspace.procedures.create(procedureText('Hello'));
      await service.publish('Hello', { currentDraft: true });
      service.saveDraft('Hello', procedureText('Hello', '## Start\nSay hi.\nThen wave. @end'));
      await service.publish('Hello', { currentDraft: true });
      const rolled = service.rollback('Hello', 1);
      expect(rolled).toMatchObject({ version: 3, republishes: 1, text: procedureText('Hello') });
      expect(workspace.procedures.require('Hello').draftText).toContain('Then wave.');
      expect(service.history('Hello').map((entry) => entry.version)).toEqual([3, 2, 1]);
      expect(() => service.rollback('Hello', 1)).toThrow(StoreError);
      const diff = service.diff('Hello', 'live', 'draft');
      expect({ added: diff.added, removed: diff.removed }).toEqual({ added: 2, removed: 1 });
    } finally {
      workspace.close();
    }
  });
  describe('publish checks the Python in the sandbox, as validate does', () => {
    const withPython = (name: string, code: string) => procedureText(name, `## Start\nWork it out.\n\n\`\`\`python\n${code}\n\`\`\`\n\nSay goodbye. @end`);
    /** A sandbox whose policy refuses `import`, as the real one does; it records the code it was asked about. */
    const policy = () => {
      const asked: string[] = [];
      const sandbox: Pick<CodeSandbox, 'check'> = {
        check: async (code) => {
          asked.push(code);
          return code.includes('import os') ? [{ line: 1, column: 1, message: 'import is not allowed: os' }] : [];
        },
      };
      return { asked, sandbox };
    };

    it('refuses a draft the policy refuses, naming the line, and publishes nothing', async () => {
      const { asked, sandbox } = policy();
      const { workspace, service, changes } = open(sandbox);
      try {
        const text = withPython('Refund', 'import os');
        workspace.procedures.create(text);
        const line = text.split('\n').indexOf('import os') + 1;
        await expect(service.publish('Refund', { currentDraft: true })).rejects.toThrow(
          expect.objectContaining({ code: 'invalid', message: `"Refund" was not published: its draft has 1 error.\n  line ${line}: import is not allowed: os` }),
        );
        expect(asked).toEqual(['import os']);
        expect(workspace.procedures.require('Refund').live).toBeNull();
        expect(changes).toEqual([]);
        // The same text given to publish (publish --from) is not saved either.
        workspace.procedures.create(procedureText('Other'));
        await expect(service.publish('Other', { text: withPython('Other', 'import os') })).rejects.toThrow(/Nothing was saved\.\n {2}line \d+: import is not allowed: os/);
        expect(workspace.procedures.require('Other').draftText).toBe(procedureText('Other'));
      } finally {
        workspace.close();
      }
    });

    it('publishes a draft whose Python passes', async () => {
      const { asked, sandbox } = policy();
      const { workspace, service } = open(sandbox);
      try {
        workspace.procedures.create(withPython('Refund', 'total = 1 + 2'));
        expect(await service.publish('Refund', { currentDraft: true })).toMatchObject({ version: 1 });
        expect(asked).toEqual(['total = 1 + 2']);
      } finally {
        workspace.close();
      }
    });

    it('publishes nothing when the draft changes while its Python is being checked: the text checked is the text published', async () => {
      const { workspace, service, changes } = open({
        check: async () => {
          // Another writer saves a draft with Python the policy would refuse, mid-check.
          workspace.procedures.saveDraft('Refund', withPython('Refund', 'import os'));
          return [];
        },
      });
      try {
        workspace.procedures.create(withPython('Refund', 'total = 1 + 2'));
        await expect(service.publish('Refund', { currentDraft: true })).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
        expect(workspace.procedures.require('Refund').live).toBeNull();
        expect(changes).toEqual([]);
      } finally {
        workspace.close();
      }
    });

    it('refuses when the sandbox cannot check the Python: not checked is not passed', async () => {
      const { workspace, service } = open({ check: () => Promise.reject(new Error('Python is not available in this session.')) });
      try {
        workspace.procedures.create(withPython('Refund', 'total = 1 + 2'));
        await expect(service.publish('Refund', { currentDraft: true })).rejects.toThrow(
          expect.objectContaining({ code: 'invalid', message: '"Refund" was not published: its Python could not be checked (Python is not available in this session).' }),
        );
        expect(workspace.procedures.require('Refund').live).toBeNull();
        // Without Python, the sandbox is not needed, and the draft publishes.
        workspace.procedures.create(procedureText('Hello'));
        expect(await service.publish('Hello', { currentDraft: true })).toMatchObject({ version: 1 });
      } finally {
        workspace.close();
      }
    });
  });
});
