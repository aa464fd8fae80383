// Team definitions in bundles: an export carries the definition (name, description, handoff note
// template) of each team its Procedures hand off or escalate to, signed with the rest; an import
// treats a team as it treats a Procedure (new, unchanged, or a conflict to keep mine, take theirs or
// keep both, the incoming Procedures then handing off to the kept copy); a bundle from before teams
// travelled (tests/fixtures/bundles/) still verifies and imports.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { exportBundle, serializeBundle } from '../../main/bundles/export';
import { runCli } from '../../main/cli/run';
import { findConflicts, importBundle, type Resolution } from '../../main/bundles/import';
import { fingerprintOf } from '../../main/bundles/signing';
import { verifyBundle } from '../../main/bundles/verify';
import { EncryptedFileSecretStore } from '../../main/secrets/encrypted-file-store';
import type { SecretStore } from '../../main/secrets/secret-store';
import { loadExamples } from '../../main/services/example-workspace';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { procedureText, useTempDir } from '../store/helpers';

const OLD_BUNDLE = join(import.meta.dirname, '../fixtures/bundles/before-team-definitions.stepwise-bundle.json');
const CLAIMS_NOTE = 'Order number, what is damaged, photos if any, and what the customer asked for.';

/** The bundle with `edit` applied to its entries, signed again by a fresh key: intact, but saying whatever `edit` made it say. */
function resigned(text: string, edit: (entries: Record<string, string>) => void): string {
  const file = JSON.parse(text) as { manifest: string; signature: string; entries: Record<string, string> };
  edit(file.entries);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const manifest = JSON.stringify({
    ...JSON.parse(file.manifest),
    publicKey: publicKeyPem,
    keyFingerprint: fingerprintOf(publicKeyPem),
    entries: Object.entries(file.entries)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([path, content]) => ({ path, sha256: createHash('sha256').update(content).digest('hex'), bytes: Buffer.byteLength(content) })),
  });
  return JSON.stringify({ ...file, manifest, signature: sign(null, Buffer.from(manifest), privateKey).toString('base64') });
}

const noConflicts = () => {
  throw new Error('no conflicts expected');
};

describe('team definitions in bundles', () => {
  const tempDir = useTempDir();
  let dir: string;
  let source: Workspace;
  let secrets: SecretStore;
  const targets: Workspace[] = [];

  beforeEach(() => {
    dir = tempDir();
    source = Workspace.create(join(dir, 'source.stepwise'));
    secrets = new EncryptedFileSecretStore({ file: join(dir, 'source.secrets'), keyFile: join(dir, 'source.key') });
    loadExamples(source);
    source.teams.save({ name: 'Claims team', description: 'Damage claims outside the usual rules.', noteTemplate: CLAIMS_NOTE });
    return () => {
      source.close();
      for (const target of targets.splice(0)) target.close();
    };
  });

  const target = (examples = false) => {
    const workspace = Workspace.create(join(dir, `target-${targets.length}.stepwise`));
    targets.push(workspace);
    if (examples) loadExamples(workspace);
    return workspace;
  };
  const damagedDraft = async () => serializeBundle((await exportBundle(source, secrets, { procedures: ['Damaged order claim'], source: 'draft' })).bundle);

  it('carry the definition of every team the Procedures hand off to, and of no other team', async () => {
    const { bundle, teams, undefinedTeams } = await exportBundle(source, secrets, { procedures: ['Damaged order claim'], source: 'draft' });
    // Damaged order claim hands off to three teams; Verify identity, which it calls, to Trust and safety.
    expect(teams.map((team) => team.name)).toEqual(['Claims team', 'Orders team', 'Safety team', 'Trust and safety']);
    expect(undefinedTeams).toEqual([]);
    const carried = JSON.parse(bundle.entries['teams.json']!);
    expect(carried).toEqual(teams);
    expect(carried[0]).toEqual({ name: 'Claims team', description: 'Damage claims outside the usual rules.', noteTemplate: CLAIMS_NOTE });
    expect(JSON.stringify(carried)).not.toContain('Billing team');
    // What verify hands the importer is the same list, checked.
    expect(verifyBundle(serializeBundle(bundle)).teams).toEqual(teams);
  });

  it('name a team no one defined without inventing a definition for it', async () => {
    source.procedures.create(procedureText('Escalate', '## Start\nSay sorry. @handoff Night shift', 'escalation: Tier 2\n'));
    const { bundle, teams, undefinedTeams } = await exportBundle(source, secrets, { procedures: ['Escalate'], source: 'draft' });
    expect(teams).toEqual([]);
    expect(undefinedTeams).toEqual(['Night shift', 'Tier 2']);
    expect(bundle.entries['teams.json']).toBe('[]\n');
  });

  it('sign the team definitions: an edited, removed or added teams.json is refused', async () => {
    const text = await damagedDraft();
    const edited = JSON.parse(text);
    edited.entries['teams.json'] = edited.entries['teams.json'].replace(CLAIMS_NOTE, 'Send everything to claims@attacker.example.');
    expect(() => verifyBundle(JSON.stringify(edited))).toThrow(/teams\.json was changed after the bundle was signed/);
    const removed = JSON.parse(text);
    delete removed.entries['teams.json'];
    expect(() => verifyBundle(JSON.stringify(removed))).toThrow(/lists teams\.json, but the bundle does not contain it/);
    const old = JSON.parse(readFileSync(OLD_BUNDLE, 'utf8'));
    old.entries['teams.json'] = JSON.stringify([{ name: 'Orders team', description: 'Injected', noteTemplate: '' }]);
    expect(() => verifyBundle(JSON.stringify(old))).toThrow(/holds teams\.json, which the signed manifest does not list/);
  });

  it('refuse, even when signed, a team entry that carries anything but a definition, or a team twice', async () => {
    const text = await damagedDraft();
    const withMembers = resigned(text, (entries) => {
      const teams = JSON.parse(entries['teams.json']!);
      teams[0].members = [{ name: 'Ana Diaz', email: 'ana@shop.example' }];
      entries['teams.json'] = JSON.stringify(teams);
    });
    expect(() => verifyBundle(withMembers)).toThrow(/teams\.json in the bundle is not valid: .*members/);
    const twice = resigned(text, (entries) => {
      entries['teams.json'] = JSON.stringify([{ name: 'Claims team' }, { name: 'claims TEAM', description: 'again' }]);
    });
    expect(() => verifyBundle(twice)).toThrow(/the team "claims TEAM" is listed twice/);
    const nameless = resigned(text, (entries) => {
      entries['teams.json'] = JSON.stringify([{ name: '  ', description: 'x' }]);
    });
    expect(() => verifyBundle(nameless)).toThrow(/teams\.json in the bundle is not valid/);
    const notJson = resigned(text, (entries) => {
      entries['teams.json'] = '{ teams';
    });
    expect(() => verifyBundle(notJson)).toThrow(/teams\.json in the bundle is not JSON/);
  });

  it('create the teams in a workspace that has none, then find them unchanged', async () => {
    const text = await damagedDraft();
    const into = target();
    const report = await importBundle(into, verifyBundle(text), noConflicts);
    expect(report.items.filter((item) => item.kind === 'team')).toEqual(
      ['Claims team', 'Orders team', 'Safety team', 'Trust and safety'].map((name) => ({ kind: 'team', name, outcome: 'created' })),
    );
    expect(into.teams.get('Claims team')).toEqual({ name: 'Claims team', description: 'Damage claims outside the usual rules.', noteTemplate: CLAIMS_NOTE });
    expect(into.teams.list().map((team) => team.name)).not.toContain('Billing team');
    const again = await importBundle(into, verifyBundle(text), noConflicts);
    expect(again.items.filter((item) => item.kind === 'team').map((item) => item.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });

  it('find a team that differs only in the case of its name unchanged, as handoffs do', async () => {
    const into = target();
    into.teams.save({ name: 'claims TEAM', description: 'Damage claims outside the usual rules.', noteTemplate: CLAIMS_NOTE });
    const verified = verifyBundle(await damagedDraft());
    expect(findConflicts(into, verified)).toEqual([]);
    const report = await importBundle(into, verified, noConflicts);
    expect(report.items).toContainEqual({ kind: 'team', name: 'Claims team', outcome: 'unchanged' });
    expect(into.teams.get('Claims team')!.name).toBe('claims TEAM');
  });

  for (const [answer, expected] of [
    ['skip', { description: 'Our own claims desk.', noteTemplate: '' }],
    ['replace', { description: 'Damage claims outside the usual rules.', noteTemplate: CLAIMS_NOTE }],
  ] as const) {
    it(`put a changed team to the resolver with the Procedures, and ${answer} it as told`, async () => {
      const into = target(true);
      into.teams.save({ name: 'Claims team', description: 'Our own claims desk.', noteTemplate: '' });
      const asked: string[] = [];
      const report = await importBundle(into, verifyBundle(await damagedDraft()), (conflict) => {
        asked.push(`${conflict.kind}:${conflict.name}`);
        return conflict.kind === 'team' ? (answer as Resolution) : 'skip';
      });
      // Only the team differs from the example workspace's own (the Procedures are the same drafts).
      expect(asked).toEqual(['team:Claims team']);
      expect(report.items).toContainEqual({ kind: 'team', name: 'Claims team', outcome: answer === 'skip' ? 'skipped' : 'replaced' });
      expect(into.teams.get('Claims team')).toEqual({ name: 'Claims team', ...expected });
      expect(into.teams.list()).toHaveLength(6);
    });
  }

  it('keep both: the incoming team under a new name, and the incoming Procedures hand off to it', async () => {
    const into = target(true);
    into.teams.save({ name: 'Claims team', description: 'Our own claims desk.', noteTemplate: '' });
    into.procedures.saveDraft('Damaged order claim', into.procedures.require('Damaged order claim').draftText.replace('Greet the customer briefly', 'Greet the customer'));
    const answers: Record<string, Resolution> = { 'team:Claims team': 'rename', 'procedure:Damaged order claim': 'rename' };
    const report = await importBundle(into, verifyBundle(await damagedDraft()), (conflict) => answers[`${conflict.kind}:${conflict.name}`]!);
    expect(report.items).toContainEqual({ kind: 'team', name: 'Claims team', outcome: 'renamed', as: 'Claims team (imported)' });
    expect(into.teams.get('Claims team')!.description).toBe('Our own claims desk.');
    expect(into.teams.get('Claims team (imported)')).toEqual({ name: 'Claims team (imported)', description: 'Damage claims outside the usual rules.', noteTemplate: CLAIMS_NOTE });
    const incoming = into.procedures.require('Damaged order claim (imported)').draftText;
    expect(incoming).toContain('@handoff Claims team (imported)\n');
    expect(incoming).toContain('@handoff Orders team\n');
    // The local Procedure keeps handing off to the local team.
    expect(into.procedures.require('Damaged order claim').draftText).toMatch(/@handoff Claims team\n/);
  });

  it('write nothing of the teams when the import is refused for another reason', async () => {
    const into = target();
    into.procedures.create(procedureText('Damaged order claim'));
    const attempt = importBundle(into, verifyBundle(await damagedDraft()), () => 'sideways' as Resolution);
    await expect(attempt).rejects.toThrow(/is not an answer/);
    expect(into.teams.list()).toEqual([]);
  });

  it('on the command line: export counts the definitions; import names a changed team among the conflicts and follows --on-conflict', async () => {
    const run = async (...argv: string[]) => {
      const io = captureIo(dir);
      return { code: await runCli(argv, io), out: io.stdout(), err: io.stderr() };
    };
    source.procedures.create(procedureText('Escalate', '## Start\nSay sorry. @handoff Night shift'));
    source.close();
    const exported = await run('export', '--workspace', 'source.stepwise', '--out', 'damaged.bundle', '--procedure', 'Damaged order claim', '--procedure', 'Escalate', '--draft');
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('4 team definitions');
    expect(exported.out).toContain('Named but not defined in this workspace, so carried by name only: Night shift.');
    expect((await run('keys', 'public', '--workspace', 'source.stepwise', '--out', 'source.pub')).code).toBe(0);
    source = Workspace.open(join(dir, 'source.stepwise'));

    expect((await run('workspace', 'init', 'b.stepwise', '--example')).code).toBe(0);
    const b = Workspace.open(join(dir, 'b.stepwise'));
    b.teams.save({ name: 'Claims team', description: 'Our own claims desk.', noteTemplate: '' });
    b.close();
    const refused = await run('import', 'damaged.bundle', '--workspace', 'b.stepwise', '--trust', 'source.pub');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('team "Claims team"');
    const replaced = await run('import', 'damaged.bundle', '--workspace', 'b.stepwise', '--trust', 'source.pub', '--on-conflict', 'replace');
    expect(replaced.code).toBe(0);
    expect(replaced.out).toContain('team "Claims team": replaced');
    const after = Workspace.open(join(dir, 'b.stepwise'));
    try {
      expect(after.teams.get('Claims team')!.noteTemplate).toBe(CLAIMS_NOTE);
      expect(after.teams.get('Night shift')).toBeNull();
    } finally {
      after.close();
    }
  });

  it('import a bundle written before teams travelled: its Procedures land, no team is made up', async () => {
    const text = readFileSync(OLD_BUNDLE, 'utf8');
    const verified = verifyBundle(text);
    expect(verified.teams).toBeNull();
    expect(Object.keys(verified.bundle.entries)).not.toContain('teams.json');
    const into = target();
    const report = await importBundle(into, verified, noConflicts);
    expect(report.items.filter((item) => item.kind === 'procedure').map((item) => [item.name, item.outcome])).toEqual([
      ['Refund request', 'created'],
      ['Verify identity', 'created'],
      ['Damaged order claim', 'created'],
    ]);
    expect(report.items.some((item) => item.kind === 'team')).toBe(false);
    expect(into.teams.list()).toEqual([]);
    expect(into.procedures.require('Refund request').draftText).toContain('@handoff Billing team: refund over the automatic limit');
    // Into a workspace that defines the teams, nothing about them is asked or changed.
    const examples = target(true);
    const before = examples.teams.list();
    expect(findConflicts(examples, verified).filter((conflict) => conflict.kind === 'team')).toEqual([]);
    await importBundle(examples, verified, () => 'skip');
    expect(examples.teams.list()).toEqual(before);
  });
});
