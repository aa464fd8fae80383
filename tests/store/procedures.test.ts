import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { diffVersions } from '../../main/procedures/diff';
import { publishChecked, type PublishRequest } from '../../main/procedures/publish';
import { StoreError } from '../../main/store/errors';
import { Workspace } from '../../main/store/workspace';
import { procedureText, useTempDir } from './helpers';
import { sqlOf } from './sql';

/** These texts hold no Python, so the sandbox is never asked. */
const NO_PYTHON = { check: () => Promise.reject(new Error('these texts hold no Python')) };

describe('Procedures in the store', () => {
  const tempDir = useTempDir();
  let workspace: Workspace;
  const publishProcedure = (_workspace: Workspace, name: string, request: PublishRequest) => publishChecked(workspace, name, request, NO_PYTHON);
  beforeEach(() => {
    workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    return () => workspace.close();
  });

  it('keep the draft apart from what is live: editing never changes the live version', () => {
    workspace.procedures.create(procedureText('Greeting', '## Start\nSay hello. @end'));
    const v1 = workspace.procedures.publish('Greeting', { note: 'first' });
    expect(v1.version).toBe(1);
    workspace.procedures.saveDraft('Greeting', procedureText('Greeting', '## Start\nSay hello warmly. @end'));
    expect(workspace.procedures.liveText('Greeting')).toContain('Say hello. @end');
    expect(workspace.procedures.require('Greeting').draftText).toContain('warmly');
    expect(workspace.procedures.require('Greeting').live).toMatchObject({ version: 1, note: 'first', contentHash: v1.contentHash });
  });

  it('publish versions with text, content hash, note and time, newest first in the history', () => {
    workspace.procedures.create(procedureText('Greeting'));
    workspace.procedures.publish('Greeting', { note: 'one' });
    workspace.procedures.saveDraft('Greeting', procedureText('Greeting', '## Start\nWave. @end'));
    workspace.procedures.publish('Greeting', { note: 'two', author: 'sam' });
    const history = workspace.procedures.history('Greeting');
    expect(history.map((version) => [version.version, version.note])).toEqual([
      [2, 'two'],
      [1, 'one'],
    ]);
    expect(history[0]!.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(history[0]!.author).toBe('sam');
    expect(Date.parse(history[0]!.publishedAt)).not.toBeNaN();
  });

  it('refuse to publish a draft identical to live, or one that does not parse', () => {
    workspace.procedures.create(procedureText('Greeting'));
    workspace.procedures.publish('Greeting');
    expect(() => workspace.procedures.publish('Greeting')).toThrow(/Nothing to publish/);
    workspace.procedures.saveDraft('Greeting', '---\nname: Greeting\ntrigger: [unclosed\n---\n## Start\n');
    expect(() => workspace.procedures.publish('Greeting')).toThrow(StoreError);
    expect(workspace.procedures.history('Greeting')).toHaveLength(1);
  });

  it('publish a given text whole: saved and published together, or, when it fails a check, nothing saved', async () => {
    workspace.procedures.create(procedureText('Refund', '## Start\nSay hello. @end'));
    const draftBefore = workspace.procedures.require('Refund').draftHash;
    const broken = procedureText('Refund', '## Start\nConfirm with [[Verify identity]]. @end');
    await expect(publishProcedure(workspace, 'Refund', { text: broken, note: 'broken' })).rejects.toThrow(/not published: the text has 1 error\. Nothing was saved\./);
    expect(workspace.procedures.require('Refund').draftHash).toBe(draftBefore);
    expect(workspace.procedures.history('Refund')).toEqual([]);

    const good = procedureText('Refund', '## Start\nSay hello warmly. @end');
    const version = await publishProcedure(workspace, 'Refund', { text: good, note: 'warmer' });
    expect(version).toMatchObject({ version: 1, text: good, note: 'warmer' });
    expect(workspace.procedures.require('Refund').draftText).toBe(good);
    // A text for a Procedure that does not exist yet creates it.
    expect((await publishProcedure(workspace, 'Gift cards', { text: procedureText('Gift cards'), note: 'new' })).name).toBe('Gift cards');
  });

  it('publish only the draft the caller saw: a draft changed since is a conflict, and nothing is published', async () => {
    const seen = workspace.procedures.create(procedureText('Refund', '## Start\nSay hello. @end'));
    workspace.procedures.saveDraft('Refund', procedureText('Refund', '## Start\nSomeone else wrote this. @end'));
    for (const publish of [
      () => publishProcedure(workspace, 'Refund', { expectedHash: seen.draftHash, note: 'mine' }),
      () => workspace.procedures.publish('Refund', { expectedHash: seen.draftHash, note: 'mine' }),
    ]) {
      const error = await catchAsyncError(publish);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('conflict');
      expect(error.message).toMatch(/^"Refund" was not published: its draft was changed elsewhere since you read it/);
    }
    expect(workspace.procedures.history('Refund')).toEqual([]);
    const current = workspace.procedures.require('Refund');
    expect((await publishProcedure(workspace, 'Refund', { expectedHash: current.draftHash, note: 'seen' })).text).toBe(current.draftText);
  });

  it('refuse to publish a draft whose text has parse errors, not only validation errors', async () => {
    // 40 nested conditions pass the front matter but exceed the nesting cap: a parse error.
    const nested = Array.from({ length: 40 }, (_, depth) => `${'  '.repeat(depth)}- If the customer says ${depth}:`).join('\n');
    workspace.procedures.create(procedureText('Deep', `## Start\n${nested}\n${'  '.repeat(40)}- Say hello. @end`));
    await expect(publishProcedure(workspace, 'Deep', { currentDraft: true })).rejects.toThrow(/not published: its draft has \d+ errors?[^]*nested/);
    expect(workspace.procedures.history('Deep')).toEqual([]);
  });

  it('check a draft against the workspace before publishing it', async () => {
    workspace.procedures.create(procedureText('Refund', '## Start\nConfirm with [[Verify identity]]. @end'));
    await expect(publishProcedure(workspace, 'Refund', { currentDraft: true })).rejects.toThrow(/not published: .*\n.*no Procedure called "Verify identity"/);
    workspace.procedures.create(procedureText('Verify identity', '## Check\nAsk for the code. @end'));
    expect((await publishProcedure(workspace, 'Refund', { currentDraft: true })).version).toBe(1);
  });

  it('keep published versions immutable, even through SQL', () => {
    workspace.procedures.create(procedureText('Greeting'));
    workspace.procedures.publish('Greeting');
    expect(() => sqlOf(workspace).prepare("UPDATE procedure_versions SET text = 'x'").run()).toThrow(/immutable/);
    expect(() => sqlOf(workspace).prepare('DELETE FROM procedure_versions').run()).toThrow(/kept/);
  });

  it('diff two versions, or a version and the draft, with a unified patch', () => {
    workspace.procedures.create(procedureText('Greeting', '## Start\nSay hello. @end'));
    workspace.procedures.publish('Greeting');
    workspace.procedures.saveDraft('Greeting', procedureText('Greeting', '## Start\nSay hello warmly. @end'));
    workspace.procedures.publish('Greeting');
    const diff = diffVersions(workspace.procedures, 'Greeting', 1, 2);
    expect(diff.patch).toContain('-Say hello. @end');
    expect(diff.patch).toContain('+Say hello warmly. @end');
    expect([diff.added, diff.removed]).toEqual([1, 1]);
    expect(diffVersions(workspace.procedures, 'Greeting', 'live', 'draft').patch).toBe('');
    expect(() => diffVersions(workspace.procedures, 'Greeting', 1, 9)).toThrow(/no version 9: it has versions 1 to 2/);
  });

  it('roll back by publishing an old version again, leaving the draft alone', () => {
    workspace.procedures.create(procedureText('Greeting', '## Start\nOne. @end'));
    workspace.procedures.publish('Greeting');
    workspace.procedures.saveDraft('Greeting', procedureText('Greeting', '## Start\nTwo. @end'));
    workspace.procedures.publish('Greeting');
    workspace.procedures.saveDraft('Greeting', procedureText('Greeting', '## Start\nThree, unpublished. @end'));
    const rolled = workspace.procedures.rollback('Greeting', 1);
    expect(rolled).toMatchObject({ version: 3, republishes: 1, note: 'Rollback to version 1' });
    expect(workspace.procedures.liveText('Greeting')).toContain('One.');
    expect(workspace.procedures.require('Greeting').draftText).toContain('Three, unpublished.');
    expect(() => workspace.procedures.rollback('Greeting', 1)).toThrow(/already live/);
  });

  it('duplicate a Procedure under a new name, with its draft and without its history', () => {
    workspace.procedures.create(procedureText('Greeting'));
    workspace.procedures.publish('Greeting');
    const copy = workspace.procedures.duplicate('Greeting');
    expect(copy.name).toBe('Greeting (copy)');
    expect(copy.draftText).toContain('name: Greeting (copy)');
    expect(copy.live).toBeNull();
    expect(workspace.procedures.duplicate('Greeting').name).toBe('Greeting (copy) 2');
    expect(() => workspace.procedures.duplicate('Greeting', 'Greeting')).toThrow(/already a Procedure called "Greeting"/);
  });

  it('refuse to delete a Procedure another one calls, naming the callers', () => {
    workspace.procedures.create(procedureText('Verify identity', '## Check\nAsk. @end'));
    workspace.procedures.create(procedureText('Refund', '## Start\nCheck with [[Verify identity]]. @end'));
    workspace.procedures.publish('Refund');
    workspace.procedures.saveDraft('Refund', procedureText('Refund', '## Start\nJust refund. @end'));
    // The draft no longer calls it, but the live version still does.
    expect(() => workspace.procedures.delete('Verify identity')).toThrow(/"Refund" \(live\) calls it with \[\[Verify identity\]\]/);
    expect(workspace.procedures.get('Verify identity')).not.toBeNull();
    workspace.procedures.delete('Refund');
    workspace.procedures.delete('Verify identity');
    expect(workspace.procedures.names()).toEqual([]);
    expect(sqlOf(workspace).prepare('SELECT count(*) FROM procedure_versions').pluck().get()).toBe(0);
  });

  it('rename a Procedure when its draft changes name, refusing a name in use', () => {
    workspace.procedures.create(procedureText('Greeting'));
    workspace.procedures.create(procedureText('Farewell'));
    expect(workspace.procedures.saveDraft('Greeting', procedureText('Welcome')).name).toBe('Welcome');
    expect(() => workspace.procedures.saveDraft('Welcome', procedureText('Farewell'))).toThrow(/already a Procedure called "Farewell"/);
    expect(workspace.procedures.require('Welcome').draftText).toContain('name: Welcome');
  });

  it('say which Procedures exist when a name is wrong', () => {
    workspace.procedures.create(procedureText('Refund request'));
    expect(() => workspace.procedures.require('refund request')).toThrow(/Did you mean "Refund request"\?/);
  });
});

async function catchAsyncError(work: () => unknown): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
