// "Draft a Procedure" through the API: the author model (the fake Messages API, through the real
// SDK) drafts from an outline, a knowledge article and a transcript; the proposal comes back as
// text and a diff with nothing saved; only acceptDraft saves it, checked again. No model, a model
// that fails, one that answers without the tool, a draft that never passes validate, a name taken
// and an unknown article each give a clear error, and nothing is saved.
import { describe, expect, it } from 'vitest';
import type { DraftProposal, ProcedureSummary } from '../../shared/api';
import { toolCall, type RecordedRequest } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { useEngine, type TestEngine } from './helpers';
import { LOST_PARCEL_DRAFT } from './authoring-fixtures';
import { models } from './simulations-fixtures';

const startFake = useFakeAnthropic();

/** Calls a connector action no workspace has: validate refuses it however often it is repaired. */
const BROKEN_DRAFT = LOST_PARCEL_DRAFT.replace('Say sorry, and tell', 'Reship it with @warehouse.reship, then tell');

const author = (text: string) => () => toolCall('write_procedure', { text, summary: 'Drafted from the outline.' });

describe('Draft a Procedure', () => {
  const engine = useEngine();

  async function setUp(script: Parameters<typeof startFake>[0], withKey = true) {
    const fake = await startFake(script);
    const api = engine();
    await api.call('settings.save', { provider: 'anthropic', baseURL: fake.url, models, ...(withKey ? { apiKey: 'sk-test-key' } : {}) });
    const changes: unknown[] = [];
    api.hub.subscribe((event, payload) => {
      if (event === 'procedures.changed') changes.push(payload);
    });
    return { api, fake, changes };
  }

  const names = async (api: TestEngine) => ((await api.call('procedures.list')) as ProcedureSummary[]).map((procedure) => procedure.name);

  it('drafts from the outline, an article and a transcript; nothing is saved until the draft is accepted', async () => {
    const { api, fake, changes } = await setUp(author(LOST_PARCEL_DRAFT));
    const { id } = api.workspace.knowledge.save({ title: 'Lost parcels', body: 'A parcel lost in transit is sent again at no cost.' });
    const before = await names(api);
    const proposal = (await api.call('authoring.draft', {
      outline: 'When a parcel never arrives: get the order number, say sorry, send it again.',
      articleIds: [id],
      transcripts: ['customer: my parcel never came\nagent: so sorry!'],
    })) as DraftProposal;
    expect(proposal).toMatchObject({ name: 'Lost parcel', valid: true, problems: [], repairs: 0, summary: 'Drafted from the outline.', text: LOST_PARCEL_DRAFT });
    expect(proposal.patch).toContain('+name: Lost parcel');
    expect(proposal.patch).toContain('+## Send it again');
    // The author model was asked with the outline, the article and the transcript, as the author role.
    const asked = fake.requests.at(-1) as RecordedRequest;
    expect(asked.body.model).toBe(models.author);
    const prompt = JSON.stringify(asked.body.messages);
    expect(prompt).toContain('When a parcel never arrives');
    expect(prompt).toContain('A parcel lost in transit is sent again at no cost.');
    expect(prompt).toContain('my parcel never came');
    // A proposal only: the workspace is as it was.
    expect(await names(api)).toEqual(before);
    expect(changes).toEqual([]);

    expect(await api.call('authoring.acceptDraft', { text: proposal.text })).toEqual({ name: 'Lost parcel' });
    expect(((await api.call('procedures.get', { name: 'Lost parcel' })) as { draftText: string; live: unknown }).draftText).toBe(LOST_PARCEL_DRAFT);
    expect(changes).toEqual([{ names: ['Lost parcel'], reason: 'created' }]);
    // Accepting it again would overwrite nothing: the name is taken now.
    await expect(api.call('authoring.acceptDraft', { text: proposal.text })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('already has a Procedure called "Lost parcel"') });
  });

  it('a draft that never passes validate comes back with what is wrong, and cannot be accepted', async () => {
    const { api, fake } = await setUp(author(BROKEN_DRAFT));
    const before = await names(api);
    const proposal = (await api.call('authoring.draft', { outline: 'Reship lost parcels.' })) as DraftProposal;
    expect(proposal.valid).toBe(false);
    expect(proposal.repairs).toBe(3);
    // The first answer and three repairs, each told what validate found.
    expect(fake.requests).toHaveLength(4);
    expect(proposal.problems.join('\n')).toMatch(/warehouse/);
    await expect(api.call('authoring.acceptDraft', { text: proposal.text })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/does not pass validate, so it was not saved: line \d+: .*warehouse/) });
    expect(await names(api)).toEqual(before);
  });

  it('without a model key, a failing model, or an answer without the tool: a clear error, nothing saved', async () => {
    const noKey = await setUp(author(LOST_PARCEL_DRAFT), false);
    await expect(noKey.api.call('authoring.draft', { outline: 'Anything.' })).rejects.toMatchObject({ code: 'no-model', message: expect.stringContaining('Settings') });
    expect(noKey.fake.requests).toHaveLength(0);

    const refused = await setUp(() => ({ status: 400, error: { type: 'invalid_request_error', message: 'model: no such model' } }));
    const before = await names(refused.api);
    await expect(refused.api.call('authoring.draft', { outline: 'Anything.' })).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^The author model refused the request: .*no such model.*Nothing was saved\.$/s) });
    expect(await names(refused.api)).toEqual(before);

    const chatty = await setUp(() => ({ content: [{ type: 'text', text: 'Here is a Procedure you might like…' }] }));
    await expect(chatty.api.call('authoring.draft', { outline: 'Anything.' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('The author model did not answer with a Procedure') });
    expect(await names(chatty.api)).toEqual(before);
  });

  it('names the bad input: an empty outline, an unknown article, a name already taken', async () => {
    const { api, fake } = await setUp(author(LOST_PARCEL_DRAFT.replace('name: Lost parcel', 'name: Refund request')));
    await expect(api.call('authoring.draft', { outline: '   ' })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('Write an outline first') });
    await expect(api.call('authoring.draft', { outline: 'Lost parcels.', articleIds: [999_999] })).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('no knowledge article with id 999999') });
    expect(fake.requests).toHaveLength(0);
    // The example workspace has a "Refund request": the draft is shown with the name problem.
    const proposal = (await api.call('authoring.draft', { outline: 'Refunds.' })) as DraftProposal;
    expect(proposal.valid).toBe(false);
    expect(proposal.problems.join('\n')).toContain('already has a Procedure called "Refund request"');
    await expect(api.call('authoring.acceptDraft', { text: proposal.text })).rejects.toMatchObject({ code: 'conflict' });
    expect(((await api.call('procedures.get', { name: 'Refund request' })) as { draftText: string }).draftText).not.toContain('Lost parcel');
  });
});
