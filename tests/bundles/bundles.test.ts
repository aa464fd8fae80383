import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, sign } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { exportBundle, serializeBundle } from '../../main/bundles/export';
import { BundleError } from '../../main/bundles/format';
import { importBundle, type Resolution } from '../../main/bundles/import';
import { verifyBundle } from '../../main/bundles/verify';
import { publishProcedure, SHIPPED_EXAMPLE } from '../../main/procedures/publish';
import { EncryptedFileSecretStore } from '../../main/secrets/encrypted-file-store';
import type { SecretStore } from '../../main/secrets/secret-store';
import { loadExamples } from '../../main/services/example-workspace';
import { Workspace } from '../../main/store/workspace';
import { procedureText, useTempDir } from '../store/helpers';
import { useSandbox } from '../support/fixtures';

const SECRET_VALUE = 'sk_live_NEVER-IN-A-BUNDLE-93a1';

describe('bundles', () => {
  const tempDir = useTempDir();
  // Importing puts Procedures live, so their Python is checked in the real sandbox, as publishing does.
  const sandbox = useSandbox();
  let source: Workspace;
  let secrets: SecretStore;
  let dir: string;

  beforeEach(async () => {
    dir = tempDir();
    source = Workspace.create(join(dir, 'source.stepwise'));
    secrets = new EncryptedFileSecretStore({ file: join(dir, 'source.secrets'), keyFile: join(dir, 'source.key') });
    await secrets.set('stripe_secret_key', SECRET_VALUE);
    loadExamples(source);
    for (const record of source.procedures.list()) publishProcedure(source, record.name, { currentDraft: true }, SHIPPED_EXAMPLE);
    const damaged = source.simulations.save('Damaged order claim', 'Broken mug', {
      customer: { persona: 'Polite, in a hurry', opening: 'My mug arrived broken.' },
      expectations: [{ name: 'offers a replacement' }],
    });
    source.simulations.recordRun(damaged.id, {
      procedureHash: source.procedures.require('Damaged order claim').live!.contentHash,
      version: 1,
      status: 'passed',
      summary: '',
      startedAt: '2026-11-29T10:00:00.000Z',
      finishedAt: '2026-11-29T10:01:00.000Z',
      results: [{ expectation: 'offers a replacement', passed: true, detail: 'turn 4' }],
    });
    return () => source.close();
  });

  const exportText = async (options: Parameters<typeof exportBundle>[2] = {}) => serializeBundle((await exportBundle(source, secrets, options)).bundle);

  it('carry the chosen Procedures with every Procedure they call, their connectors, simulations and last results', async () => {
    const { index, bundle } = await exportBundle(source, secrets, { procedures: ['Damaged order claim'] });
    expect(index.procedures.map((procedure) => [procedure.name, procedure.requested])).toEqual([
      ['Damaged order claim', true],
      ['Verify identity', false],
    ]);
    expect(index.connectors.map((connector) => connector.name)).toEqual(['accounts', 'payments', 'shop']);
    // With the example shop's own simulations of the Procedures it carries (examples/simulations/).
    expect(index.simulations.map((entry) => `${entry.procedure} / ${entry.name}`).sort()).toEqual(['Damaged order claim / Broken mug', 'Damaged order claim / Sparking kettle', 'Verify identity / Right code first time']);
    const simulation = JSON.parse(bundle.entries[index.simulations.find((entry) => entry.name === 'Broken mug')!.path]!);
    expect(simulation.lastRun).toMatchObject({ status: 'passed', results: [{ expectation: 'offers a replacement', passed: true }] });
    expect(index.knowledge).toBeNull();
    const manifest = JSON.parse(bundle.manifest);
    expect(manifest).toMatchObject({ formatVersion: 1, appVersion: expect.any(String), createdAt: expect.any(String) });
    expect(manifest.entries.every((entry: { sha256: string }) => /^[0-9a-f]{64}$/.test(entry.sha256))).toBe(true);
  });

  it('include the knowledge hub only when asked, and never a secret value', async () => {
    const text = await exportText({ includeKnowledge: true });
    expect(verifyBundle(text).index.knowledge).toBe('knowledge/articles.json');
    expect(text).toContain('stripe_secret_key');
    expect(text).not.toContain(SECRET_VALUE);
    expect(readFileSync(join(dir, 'source.stepwise')).includes(SECRET_VALUE)).toBe(false);
  });

  it('export drafts or live versions, and refuse a live export of something never published', async () => {
    source.procedures.saveDraft('Verify identity', source.procedures.require('Verify identity').draftText.replace('Send a one-time code', 'Text a one-time code'));
    const live = verifyBundle(await exportText({ procedures: ['Verify identity'] }));
    const draft = verifyBundle(await exportText({ procedures: ['Verify identity'], source: 'draft' }));
    expect(live.bundle.entries[live.index.procedures[0]!.path]).not.toContain('Text a one-time code');
    expect(draft.bundle.entries[draft.index.procedures[0]!.path]).toContain('Text a one-time code');
    source.procedures.create(procedureText('Unpublished'));
    await expect(exportBundle(source, secrets, { procedures: ['Unpublished'] })).rejects.toThrow(/never been published/);
  });

  it('verify a good bundle and reject an edited entry, a swapped manifest and the wrong key', async () => {
    const text = await exportText();
    const good = verifyBundle(text);
    const ownKey = source.keys.signingKey()!.publicKey;
    expect(verifyBundle(text, { trustedKeys: [ownKey] }).trusted).toBe(true);

    const edited = JSON.parse(text);
    const path = good.index.procedures[0]!.path;
    edited.entries[path] = edited.entries[path].replace('@end', '@handoff Orders team');
    expect(() => verifyBundle(JSON.stringify(edited))).toThrow(new RegExp(`${path} was changed after the bundle was signed`));

    const other = JSON.parse(await exportText({ procedures: ['Verify identity'] }));
    const swapped = { ...JSON.parse(text), manifest: other.manifest, signature: other.signature };
    expect(() => verifyBundle(JSON.stringify(swapped))).toThrow(BundleError);

    const unsigned = JSON.parse(text);
    unsigned.manifest = unsigned.manifest.replace('"formatVersion": 1', '"formatVersion": 1 ');
    expect(() => verifyBundle(JSON.stringify(unsigned))).toThrow(/signature does not match the manifest/);

    const added = JSON.parse(text);
    added.entries['procedures/extra.md'] = 'extra';
    expect(() => verifyBundle(JSON.stringify(added))).toThrow(/does not list/);

    // Re-signed by someone else with their own key: intact, but not by a trusted key.
    const attacker = generateKeyPairSync('ed25519');
    const forged = JSON.parse(text);
    const manifest = JSON.parse(forged.manifest);
    const attackerPem = attacker.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { fingerprintOf } = await import('../../main/bundles/signing');
    forged.manifest = JSON.stringify({ ...manifest, publicKey: attackerPem, keyFingerprint: fingerprintOf(attackerPem) });
    forged.signature = sign(null, Buffer.from(forged.manifest), attacker.privateKey).toString('base64');
    expect(verifyBundle(JSON.stringify(forged)).fingerprint).toBe(fingerprintOf(attackerPem));
    expect(() => verifyBundle(JSON.stringify(forged), { trustedKeys: [ownKey] })).toThrow(/signed by key ed25519:\w+, which is not a trusted key/);

    expect(() => verifyBundle('not json')).toThrow(/not JSON/);
  });

  it('import into another workspace: Procedures published, connectors, simulations and results in place', async () => {
    const text = await exportText({ procedures: ['Damaged order claim'], includeKnowledge: true });
    const target = Workspace.create(join(dir, 'target.stepwise'));
    try {
      const report = await importBundle(
        target,
        verifyBundle(text),
        () => {
          throw new Error('no conflicts expected');
        },
        { python: sandbox },
      );
      expect(report.items.filter((item) => item.outcome !== 'created')).toEqual([]);
      expect(target.procedures.require('Damaged order claim').live?.note).toMatch(/Imported from a bundle signed by ed25519:/);
      expect(target.procedures.liveText('Verify identity')).toBe(source.procedures.liveText('Verify identity'));
      expect(target.connectors.get('payments')).toEqual(source.connectors.get('payments'));
      const simulation = target.simulations.get('Damaged order claim', 'Broken mug')!;
      expect(target.simulations.lastRun(simulation.id)?.results).toEqual([{ expectation: 'offers a replacement', passed: true, detail: 'turn 4' }]);
      expect(target.search.search('where do I find my order number')[0]?.title).toBe('Where to find your order number');
      // Importing the same bundle again changes nothing and asks nothing.
      const again = await importBundle(
        target,
        verifyBundle(text),
        () => {
          throw new Error('no conflicts expected');
        },
        { python: sandbox },
      );
      expect(new Set(again.items.map((item) => item.outcome))).toEqual(new Set(['unchanged']));
    } finally {
      target.close();
    }
  });

  it('ask about each name conflict and rename, replace or skip as told', async () => {
    const text = await exportText({ procedures: ['Damaged order claim'] });
    const target = Workspace.create(join(dir, 'target.stepwise'));
    try {
      loadExamples(target);
      target.procedures.saveDraft('Verify identity', target.procedures.require('Verify identity').draftText.replace('Send a one-time code', 'Send a code'));
      publishProcedure(target, 'Verify identity', { currentDraft: true }, SHIPPED_EXAMPLE);
      target.procedures.saveDraft('Damaged order claim', target.procedures.require('Damaged order claim').draftText.replace('Greet the customer briefly', 'Greet the customer'));
      const shop = target.connectors.get('shop')!;
      target.connectors.save({ ...shop, description: 'Our own shop connector' });

      const asked: string[] = [];
      const answers: Record<string, Resolution> = { 'Verify identity': 'rename', 'Damaged order claim': 'replace', shop: 'skip' };
      const report = await importBundle(
        target,
        verifyBundle(text),
        (conflict) => {
          asked.push(`${conflict.kind}:${conflict.name}`);
          return answers[conflict.name]!;
        },
        { python: sandbox },
      );
      expect(asked.sort()).toEqual(['connector:shop', 'procedure:Damaged order claim', 'procedure:Verify identity']);
      expect(report.items).toContainEqual({ kind: 'procedure', name: 'Verify identity', outcome: 'renamed', as: 'Verify identity (imported)' });
      // The renamed sub-procedure keeps the local one untouched, and the imported caller points at the renamed copy.
      expect(target.procedures.require('Verify identity').draftText).toContain('Send a code');
      const damaged = target.procedures.require('Damaged order claim');
      expect(damaged.draftText).toContain('[[Verify identity (imported)]]');
      expect(target.procedures.liveText('Damaged order claim')).toBe(damaged.draftText);
      expect(target.connectors.get('shop')!.description).toBe('Our own shop connector');
    } finally {
      target.close();
    }
  });
  it('refuse, changing nothing, a bundle that would put live Python the sandbox refuses (or that nothing could check)', async () => {
    // Published at the store level, below publish's own check, as another tool or an older version might have.
    source.procedures.create(procedureText('Leaky', '## Start\n```python\nimport os\nattributes["home"] = os.environ["HOME"]\n```\nSay hello. @end', 'attributes:\n  home: string\n'));
    source.procedures.publish('Leaky');
    const text = await exportText({ procedures: ['Leaky', 'Damaged order claim'] });
    const target = Workspace.create(join(dir, 'target.stepwise'));
    try {
      const attempt = importBundle(target, verifyBundle(text), () => 'skip', { python: sandbox });
      await expect(attempt).rejects.toThrow(/^Nothing was imported: the sandbox refuses Python the bundle would put live\.\n {2}"Leaky" line \d+: .*os/);
      await expect(importBundle(target, verifyBundle(text), () => 'skip')).rejects.toThrow(/"Leaky": its Python could not be checked \(no sandbox\)/);
      expect(target.procedures.list()).toEqual([]);
      expect(target.connectors.list()).toEqual([]);
    } finally {
      target.close();
    }
  });
});
