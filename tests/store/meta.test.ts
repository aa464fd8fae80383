// Facts about the workspace itself: its id is made once and kept, whoever asks first.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../../main/store/workspace';
import { procedureText, useTempDir } from './helpers';

const tempDir = useTempDir();

describe('workspace meta', () => {
  it('makes the workspace id once and gives the same one to every connection, read-only ones included', () => {
    const path = join(tempDir(), 'w.stepwise');
    Workspace.create(path).close();
    const first = Workspace.open(path);
    const second = Workspace.open(path);
    let id = '';
    try {
      id = first.meta.id();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(second.meta.id()).toBe(id);
      expect(first.meta.id()).toBe(id);
    } finally {
      first.close();
      second.close();
    }
    const reader = Workspace.open(path, { readonly: true });
    try {
      expect(reader.meta.id()).toBe(id);
    } finally {
      reader.close();
    }
    const other = Workspace.create(join(tempDir(), 'other.stepwise'));
    const again = Workspace.open(path);
    try {
      expect(other.meta.id()).not.toBe(again.meta.id());
    } finally {
      other.close();
      again.close();
    }
  });

  it('names a Procedure by its id, and says when there is none', () => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    try {
      const record = workspace.procedures.create(procedureText('Hello'));
      expect(workspace.procedures.nameOf(record.id)).toBe('Hello');
      expect(() => workspace.procedures.nameOf(record.id + 100)).toThrow(`There is no Procedure with id ${record.id + 100}.`);
    } finally {
      workspace.close();
    }
  });
});
