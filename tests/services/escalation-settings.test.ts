// The workspace's escalation team (settings key `escalation`) is the fallback for escalations no
// active Procedure names a team for; a Procedure's own `escalation:` front matter wins while it is
// active; a stored policy that is not valid is refused by name before the engine starts anything.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../main/assembly/engine';
import { LazySandbox } from '../../main/assembly/lazy-sandbox';
import { ESCALATION_SETTINGS_KEY } from '../../main/runtime/workspace-services';
import { Workspace } from '../../main/store/workspace';
import { z } from 'zod';
import { useTempDir } from '../store/helpers';
import { scriptedModel } from './scripted-model';

const procedure = (name: string, escalation: string) => `---
name: ${name}
trigger: The customer asks about ${name.toLowerCase()}.
${escalation}---

## Help
Help them.
`;

const escalates = () => scriptedModel(() => [['escalate', { reason: 'stuck', summary: 'Lost.' }]]);
const noSandbox = () => new LazySandbox(() => Promise.reject(new Error('no Python in this test')));

describe('the workspace escalation team', () => {
  const tempDir = useTempDir();
  const workspace = () => {
    const opened = Workspace.create(join(tempDir(), 'w.stepwise'));
    opened.procedures.create(procedure('Gift cards', ''));
    opened.procedures.create(procedure('Billing', 'escalation: Billing team\n'));
    return opened;
  };

  const escalateIn = async (opened: Workspace, name: string, escalation?: { team: string }) => {
    const { engine, close } = createEngine({ workspace: opened, model: escalates(), draft: true, connectors: { mode: 'mock' }, sandbox: noSandbox(), ...(escalation ? { escalation } : {}) });
    const id = await engine.start({ kind: 'preview', procedure: name });
    const turn = await engine.send(id, 'Help?');
    await close();
    return turn.outcome?.team;
  };

  it('takes escalations where the Procedure names no team; the Procedure’s own team wins', async () => {
    const opened = workspace();
    try {
      expect(await escalateIn(opened, 'Gift cards')).toBe('Support team');
      opened.settings.set(ESCALATION_SETTINGS_KEY, z.object({ team: z.string() }), { team: 'Front desk' });
      expect(await escalateIn(opened, 'Gift cards')).toBe('Front desk');
      expect(await escalateIn(opened, 'Billing')).toBe('Billing team');
      // The caller's policy goes over the workspace's, key by key.
      expect(await escalateIn(opened, 'Gift cards', { team: 'Night shift' })).toBe('Night shift');
    } finally {
      opened.close();
    }
  });

  it('refuses a stored policy that is not valid, naming it', () => {
    const opened = workspace();
    try {
      opened.settings.set(ESCALATION_SETTINGS_KEY, z.object({ team: z.string() }), { team: '' });
      expect(() => createEngine({ workspace: opened, model: escalates(), draft: true, connectors: { mode: 'mock' }, sandbox: noSandbox() })).toThrow(/The "escalation" settings are not valid: team/);
    } finally {
      opened.close();
    }
  });
});
