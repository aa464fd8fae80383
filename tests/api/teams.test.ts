// The teams screen's calls: the teams with their users, create/edit with a note template, rename
// (every draft that names the team follows, nothing else in its text moves), and delete refused
// while a Procedure names the team. Also the pure rewrite of team names in a Procedure's text.
import { describe, expect, it } from 'vitest';
import { renameTeamInText } from '../../main/services/team-references';
import { useEngine } from './helpers';

type Team = { name: string; description: string; noteTemplate: string; usedBy: string[] };
type Detail = { name: string; draftText: string; draftHash: string };

const ESCALATING = `---
name: Billing question
trigger: The customer asks about a charge.
escalation:
  default: "Orders team"
  customer_asked_for_human: Billing team
---

## Answer
Explain the charge. If they insist, @handoff Orders team: tell the Orders team what was tried.
`;

describe('renameTeamInText', () => {
  it('changes the handoff and escalation names only, keeping the note and the rest of the text', () => {
    const renamed = renameTeamInText(ESCALATING, 'orders TEAM', 'Order desk');
    expect(renamed).toBe(ESCALATING.replace('"Orders team"', '"Order desk"').replace('@handoff Orders team:', '@handoff Order desk:'));
    expect(renamed).toContain('tell the Orders team what was tried');
  });

  it('leaves a text that does not name the team as it was, and quotes a new name YAML would misread', () => {
    expect(renameTeamInText(ESCALATING, 'Claims team', 'X')).toBe(ESCALATING);
    expect(renameTeamInText(ESCALATING, 'Billing team', 'Billing: tier 2')).toContain('customer_asked_for_human: "Billing: tier 2"');
  });
});

describe('the teams calls', () => {
  const engine = useEngine();

  it('lists the teams with the Procedures that hand off to them', async () => {
    const api = engine();
    const teams = (await api.call('teams.list')) as Team[];
    expect(teams.find((team) => team.name === 'Claims team')).toMatchObject({ description: 'Damage claims outside the usual rules.', noteTemplate: '', usedBy: ['Damaged order claim'] });
    expect(teams.find((team) => team.name === 'Orders team')?.usedBy).toEqual(['Damaged order claim', 'Refund request']);
  });

  it('creates a team with a note template and edits it; a second team of the same name in another case is refused', async () => {
    const api = engine();
    const created = await api.call('teams.create', { name: 'Returns desk', description: 'Returned parcels.', noteTemplate: 'Order {order_number}: {what was tried}' });
    expect(created).toEqual({ name: 'Returns desk', description: 'Returned parcels.', noteTemplate: 'Order {order_number}: {what was tried}', usedBy: [] });
    await expect(api.call('teams.create', { name: 'returns DESK' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('already a team called "Returns desk"') });
    await expect(api.call('teams.create', { name: '   ' })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('give the team a name') });
    await api.call('teams.update', { name: 'Returns desk', description: 'Parcels coming back.', noteTemplate: 'Parcel {tracking}' });
    expect(((await api.call('teams.list')) as Team[]).find((team) => team.name === 'Returns desk')).toMatchObject({ description: 'Parcels coming back.', noteTemplate: 'Parcel {tracking}' });
    await expect(api.call('teams.update', { name: 'Nobody', description: '' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('rename rewrites every draft that hands off to the team, announces them, and nothing else', async () => {
    const api = engine();
    const before = new Map(((await api.call('procedures.list')) as { name: string }[]).map((p) => [p.name, p.name]));
    const texts = new Map<string, string>();
    for (const name of before.keys()) texts.set(name, ((await api.call('procedures.get', { name })) as Detail).draftText);
    const events: unknown[] = [];
    api.hub.subscribe((event, payload) => events.push({ event, payload }));

    const result = (await api.call('teams.rename', { name: 'Orders team', newName: 'Order desk' })) as { team: Team; rewritten: string[]; liveStillNaming: string[] };
    expect(result.team).toMatchObject({ name: 'Order desk', usedBy: ['Damaged order claim', 'Refund request'] });
    expect(result.rewritten.sort()).toEqual(['Damaged order claim', 'Refund request']);
    for (const [name, text] of texts) {
      const after = ((await api.call('procedures.get', { name })) as Detail).draftText;
      if (result.rewritten.includes(name)) {
        expect(after).not.toContain('@handoff Orders team');
        expect(after).toBe(text.replaceAll('@handoff Orders team', '@handoff Order desk'));
      } else expect(after).toBe(text);
    }
    expect(events).toContainEqual({ event: 'procedures.changed', payload: { names: expect.arrayContaining(['Damaged order claim', 'Refund request']), reason: 'saved' } });
    const names = ((await api.call('teams.list')) as Team[]).map((team) => team.name);
    expect(names).toContain('Order desk');
    expect(names).not.toContain('Orders team');
  });

  it('rename onto another team is refused and changes no draft', async () => {
    const api = engine();
    const damaged = ((await api.call('procedures.get', { name: 'Damaged order claim' })) as Detail).draftHash;
    await expect(api.call('teams.rename', { name: 'Orders team', newName: 'claims team' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('Claims team') });
    await expect(api.call('teams.rename', { name: 'No such team', newName: 'Anything' })).rejects.toMatchObject({ code: 'not-found' });
    expect(((await api.call('procedures.get', { name: 'Damaged order claim' })) as Detail).draftHash).toBe(damaged);
    expect(((await api.call('teams.list')) as Team[]).map((team) => team.name)).toContain('Orders team');
  });

  it('delete is refused while a Procedure names the team, listing them; an unused team goes', async () => {
    const api = engine();
    await expect(api.call('teams.delete', { name: 'Orders team' })).rejects.toMatchObject({ code: 'conflict', message: 'Team "Orders team" is used by "Damaged order claim", "Refund request": change their handoffs first.' });
    expect(((await api.call('teams.list')) as Team[]).map((team) => team.name)).toContain('Orders team');
    // A draft that names the team in its escalation front matter only counts as a user too.
    await api.call('procedures.create', { name: 'Billing question' });
    const draft = (await api.call('procedures.get', { name: 'Billing question' })) as Detail;
    await api.call('procedures.saveDraft', { name: 'Billing question', text: ESCALATING.replace(/If they insist.*\n/, 'Say sorry.\n'), expectedHash: draft.draftHash });
    await expect(api.call('teams.delete', { name: 'billing team' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('"Billing question"') });
    await api.call('teams.create', { name: 'Returns desk' });
    expect(await api.call('teams.delete', { name: 'Returns desk' })).toEqual({ ok: true });
    expect(((await api.call('teams.list')) as Team[]).map((team) => team.name)).not.toContain('Returns desk');
  });
});
