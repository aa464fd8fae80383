// The bundles screen's calls: keys (own and trusted), export (closure, secret names, simulation
// warnings, a signed file that `stepwise verify` accepts), inspect (signer, change list item by
// item, capabilities; nothing written) and import (trust, a choice per conflict, capabilities
// approved by name; refused whole when an answer is missing).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { captureIo } from '../support/capture-io';
import { useEngine, type TestEngine } from './helpers';

type Export = { procedures: { name: string; requested: boolean }[]; connectors: string[]; teams: string[]; secretsNeeded: string[]; warnings: { procedure: string; code: string }[]; fingerprint: string; fileName: string; text: string; articles: number };
type Change = { kind: string; name: string; status: string; mine: string | null; theirs: string | null; renameTo: string | null };
type Inspection = { fingerprint: string; trusted: boolean; changes: Change[]; capabilities: { key: string; connector: string; kind: string; granted: boolean }[] };
type Detail = { draftText: string; draftHash: string };

const KEY = (change: Pick<Change, 'kind' | 'name'>) => `${change.kind}\u0000${change.name}`;

async function editDraft(api: TestEngine, name: string, edit: (text: string) => string) {
  const detail = (await api.call('procedures.get', { name })) as Detail;
  await api.call('procedures.saveDraft', { name, text: edit(detail.draftText), expectedHash: detail.draftHash });
}

describe('the bundles calls', () => {
  const engine = useEngine();

  it('shows this workspace\'s key, trusts and untrusts others, and keeps its own', async () => {
    const mine = engine();
    const other = engine();
    const keys = (await mine.call('bundles.keys')) as { publicKey: string; fingerprint: string; trusted: { fingerprint: string; own: boolean }[] };
    expect(keys.fingerprint).toMatch(/^ed25519:[0-9a-f]{32}$/);
    expect(keys.publicKey).toContain('BEGIN PUBLIC KEY');
    expect(keys.trusted).toEqual([expect.objectContaining({ fingerprint: keys.fingerprint, own: true })]);
    const theirs = (await other.call('bundles.keys')) as { publicKey: string; fingerprint: string };
    expect(await mine.call('bundles.trustKey', { publicKey: theirs.publicKey, label: 'Support team laptop' })).toEqual({ fingerprint: theirs.fingerprint });
    expect(((await mine.call('bundles.keys')) as { trusted: { fingerprint: string; label: string }[] }).trusted).toContainEqual(expect.objectContaining({ fingerprint: theirs.fingerprint, label: 'Support team laptop' }));
    await expect(mine.call('bundles.trustKey', { publicKey: 'not a key' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('not a valid PEM public key') });
    await expect(mine.call('bundles.untrustKey', { fingerprint: keys.fingerprint })).rejects.toMatchObject({ code: 'invalid' });
    expect(await mine.call('bundles.untrustKey', { fingerprint: theirs.fingerprint })).toEqual({ ok: true });
    await expect(mine.call('bundles.untrustKey', { fingerprint: theirs.fingerprint })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('exports the closure with the secret names and simulation warnings, as a bundle `stepwise verify` accepts', async () => {
    const api = engine();
    const exported = (await api.call('bundles.export', { procedures: ['Refund request'], source: 'draft' })) as Export;
    expect(exported.procedures.find((procedure) => procedure.name === 'Refund request')).toMatchObject({ requested: true });
    expect(exported.connectors.length).toBeGreaterThan(0);
    expect(exported.teams).toEqual(expect.arrayContaining(['Billing team', 'Orders team']));
    expect(exported.secretsNeeded.length).toBeGreaterThan(0);
    expect(exported.articles).toBe(0);
    // The example's simulations never ran on this text: the export says so.
    expect(exported.warnings).toContainEqual(expect.objectContaining({ procedure: 'Refund request', code: 'stale_simulations' }));
    expect(exported.fileName).toBe('refund-request-draft.stepwise-bundle.json');
    // No secret value is in it, only names.
    expect(exported.text).not.toMatch(/PRIVATE KEY/);
    const file = join(api.home, exported.fileName);
    writeFileSync(file, exported.text);
    const io = captureIo(api.home);
    expect(await runCli(['verify', file], io)).toBe(0);
    expect(io.stdout()).toContain(`valid.`);
    expect(io.stdout()).toContain(exported.fingerprint);
    await expect(api.call('bundles.export', { procedures: [], source: 'draft' })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('choose at least one Procedure') });
    await expect(api.call('bundles.export', { procedures: ['Nope'], source: 'draft' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('inspects a bundle without writing, then imports it with the choices made', async () => {
    const source = engine();
    const target = engine();
    await editDraft(source, 'Refund request', (text) => text.replace('## ', '## Greet the customer\nSay hello.\n\n## '));
    const exported = (await source.call('bundles.export', { procedures: ['Refund request'], source: 'draft', includeKnowledge: true })) as Export;
    const before = (await target.call('procedures.get', { name: 'Refund request' })) as Detail;

    const inspection = (await target.call('bundles.inspect', { text: exported.text })) as Inspection;
    expect(inspection.fingerprint).toBe(exported.fingerprint);
    expect(inspection.trusted).toBe(false);
    const refund = inspection.changes.find((change) => change.kind === 'procedure' && change.name === 'Refund request')!;
    expect(refund).toMatchObject({ status: 'changed', mine: before.draftText, renameTo: 'Refund request (imported)' });
    expect(refund.theirs).toContain('## Greet the customer');
    expect(inspection.changes.filter((change) => change.kind === 'connector').every((change) => change.status === 'same')).toBe(true);
    expect(inspection.changes.some((change) => change.kind === 'article' && change.status === 'same')).toBe(true);
    expect(((await target.call('procedures.get', { name: 'Refund request' })) as Detail).draftHash).toBe(before.draftHash);

    // An unknown signer is not imported unless the person trusts it; a missing answer refuses it whole.
    await expect(target.call('bundles.import', { text: exported.text, choices: { [KEY(refund)]: 'take-theirs' } })).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringContaining(exported.fingerprint) });
    await expect(target.call('bundles.import', { text: exported.text, trust: true })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('keep mine, take theirs or keep both') });
    expect(((await target.call('procedures.get', { name: 'Refund request' })) as Detail).draftHash).toBe(before.draftHash);
    expect(((await target.call('bundles.keys')) as { trusted: { fingerprint: string }[] }).trusted.map((key) => key.fingerprint)).not.toContain(exported.fingerprint);

    const events: unknown[] = [];
    target.hub.subscribe((event, payload) => events.push({ event, payload }));
    const report = (await target.call('bundles.import', { text: exported.text, trust: true, choices: { [KEY(refund)]: 'keep-both' } })) as { items: { kind: string; name: string; outcome: string; as: string | null }[] };
    expect(report.items).toContainEqual({ kind: 'procedure', name: 'Refund request', outcome: 'renamed', as: 'Refund request (imported)' });
    expect(((await target.call('procedures.get', { name: 'Refund request' })) as Detail).draftHash).toBe(before.draftHash);
    expect(((await target.call('procedures.get', { name: 'Refund request (imported)' })) as Detail).draftText).toContain('## Greet the customer');
    expect(events).toContainEqual({ event: 'procedures.changed', payload: { names: ['Refund request (imported)'], reason: 'created' } });
    // The signer is trusted now; taking theirs replaces the draft.
    const again = (await target.call('bundles.inspect', { text: exported.text })) as Inspection;
    expect(again.trusted).toBe(true);
    await target.call('bundles.import', { text: exported.text, choices: { [KEY(refund)]: 'take-theirs' } });
    expect(((await target.call('procedures.get', { name: 'Refund request' })) as Detail).draftText).toContain('## Greet the customer');
  });

  it('grants a new connector only the capabilities approved by key; the others stay pending', async () => {
    const source = engine();
    await source.call('connectors.save', {
      definition: {
        kind: 'http',
        name: 'crm',
        baseUrl: 'https://crm.example.com',
        allowInternalHosts: true,
        auth: { type: 'bearer', secret: 'crm_token' },
        actions: [{ name: 'get_customer', description: 'Find a customer.', method: 'GET', path: '/customers/{{input.id}}', inputSchema: { type: 'object', properties: { id: { type: 'string' } } } }],
      },
    });
    await source.call('procedures.create', { name: 'Customer lookup' });
    await editDraft(source, 'Customer lookup', (text) => text.replace('Say what the agent should do first.', 'Look the customer up with @crm.get_customer.'));
    const exported = (await source.call('bundles.export', { procedures: ['Customer lookup'], source: 'draft' })) as Export;
    expect(exported.connectors).toEqual(['crm']);
    expect(exported.secretsNeeded).toEqual(['crm_token']);

    const target = engine();
    const inspection = (await target.call('bundles.inspect', { text: exported.text })) as Inspection;
    expect(inspection.capabilities.map((capability) => [capability.connector, capability.kind, capability.granted])).toEqual([
      ['crm', 'secret', false],
      ['crm', 'internal-hosts', false],
    ]);
    const secretKey = inspection.capabilities.find((capability) => capability.kind === 'secret')!.key;
    const report = (await target.call('bundles.import', { text: exported.text, trust: true, approve: [secretKey, 'crm\u0000command\u0000\u0000made-up'] })) as { approved: string[]; pending: string[] };
    expect(report.approved).toEqual([expect.stringContaining('reads the secret "crm_token"')]);
    expect(report.pending).toEqual([expect.stringContaining('crm: may reach internal addresses')]);
    const connectors = (await target.call('connectors.list')) as { name: string; pending: { kind: string }[] }[];
    expect(connectors.find((connector) => connector.name === 'crm')?.pending.map((capability) => capability.kind)).toEqual(['internal-hosts']);
  });

  it('carries team definitions: a changed team is a change like a Procedure, with its diff and the same three choices', async () => {
    const source = engine();
    await source.call('teams.update', { name: 'Billing team', description: 'Subscriptions, charges, invoices and refunds over the limit.', noteTemplate: 'Order number and the amount asked for.' });
    await source.call('procedures.create', { name: 'Night escalation' });
    await editDraft(source, 'Night escalation', (text) => text.replace('Say what the agent should do first.', 'Say sorry. @handoff Night shift'));
    const exported = (await source.call('bundles.export', { procedures: ['Refund request', 'Night escalation'], source: 'draft' })) as Export & { undefinedTeams: string[] };
    // Refund request may switch to Damaged order claim, which comes with its teams.
    expect(exported.teams).toEqual(['Billing team', 'Claims team', 'Night shift', 'Orders team', 'Safety team', 'Trust and safety']);
    expect(exported.undefinedTeams).toEqual(['Night shift']);

    const target = engine();
    const teamsBefore = await target.call('teams.list');
    const inspection = (await target.call('bundles.inspect', { text: exported.text })) as Inspection;
    const teamChanges = inspection.changes.filter((change) => change.kind === 'team');
    expect(teamChanges.map((change) => [change.name, change.status])).toEqual([
      ['Billing team', 'changed'],
      ['Claims team', 'same'],
      ['Orders team', 'same'],
      ['Safety team', 'same'],
      ['Trust and safety', 'same'],
    ]);
    const billing = teamChanges[0]!;
    expect(JSON.parse(billing.mine!)).toEqual({ name: 'Billing team', description: 'Subscriptions, charges and invoices.', noteTemplate: '' });
    expect(JSON.parse(billing.theirs!)).toEqual({ name: 'Billing team', description: 'Subscriptions, charges, invoices and refunds over the limit.', noteTemplate: 'Order number and the amount asked for.' });
    expect(billing.renameTo).toBe('Billing team (imported)');
    // Nothing written by looking; an import without an answer for the team is refused whole.
    await expect(target.call('bundles.import', { text: exported.text, trust: true })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('the team "Billing team"') });
    expect(await target.call('teams.list')).toEqual(teamsBefore);
    expect(await target.call('procedures.get', { name: 'Night escalation' }).catch((error: { code: string }) => error.code)).toBe('not-found');

    const kept = (await target.call('bundles.import', { text: exported.text, trust: true, choices: { [KEY(billing)]: 'keep-mine' } })) as { items: { kind: string; name: string; outcome: string }[] };
    expect(kept.items).toContainEqual({ kind: 'team', name: 'Billing team', outcome: 'skipped', as: null });
    expect(await target.call('teams.list')).toEqual(teamsBefore);
    await target.call('bundles.import', { text: exported.text, choices: { [KEY(billing)]: 'take-theirs' } });
    const teams = (await target.call('teams.list')) as { name: string; description: string; noteTemplate: string }[];
    expect(teams.find((team) => team.name === 'Billing team')).toMatchObject({ description: 'Subscriptions, charges, invoices and refunds over the limit.', noteTemplate: 'Order number and the amount asked for.' });
    // A team only named travels as a name: none is made up for it.
    expect(teams.map((team) => team.name)).not.toContain('Night shift');
  });

  it('imports a bundle written before bundles carried team definitions', async () => {
    const text = readFileSync(join(import.meta.dirname, '../fixtures/bundles/before-team-definitions.stepwise-bundle.json'), 'utf8');
    const target = engine();
    const teamsBefore = await target.call('teams.list');
    const inspection = (await target.call('bundles.inspect', { text })) as Inspection;
    expect(inspection.changes.some((change) => change.kind === 'team')).toBe(false);
    expect(inspection.changes.filter((change) => change.kind === 'procedure').map((change) => change.name)).toEqual(['Refund request', 'Verify identity', 'Damaged order claim']);
    const choices = Object.fromEntries(inspection.changes.filter((change) => change.status === 'changed').map((change) => [KEY(change), 'keep-both' as const]));
    const report = (await target.call('bundles.import', { text, trust: true, choices })) as { items: { kind: string }[] };
    expect(report.items.some((item) => item.kind === 'team')).toBe(false);
    expect(await target.call('teams.list')).toEqual(teamsBefore);
  });

  it('refuses a tampered bundle, saying so', async () => {
    const source = engine();
    const exported = (await source.call('bundles.export', { procedures: ['Refund request'], source: 'draft' })) as Export;
    const tampered = exported.text.replace('refund', 'rfund');
    await expect(source.call('bundles.inspect', { text: tampered })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/signature does not match|changed after the bundle was signed/) });
    await expect(source.call('bundles.inspect', { text: 'hello' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('not a Stepwise bundle') });
  });
});
