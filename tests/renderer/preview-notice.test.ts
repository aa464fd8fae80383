// A pane's banner after a turn: a conversation a person has taken over is information naming who
// has it, never an error; every other problem stays an error, word for word.
import { describe, expect, it } from 'vitest';
import { paneNotice } from '../../renderer/src/preview/pane-notice';

const closed = 'Conversation 1 is with a person now (Orders team).';

describe('the preview pane notice', () => {
  it('says who has a handed-off conversation, as information', () => {
    const notice = paneNotice({ error: closed, outcome: { kind: 'handed_off', team: 'Orders team', reason: 'procedure' } });
    expect(notice).toEqual({ tone: 'info', title: 'Handed off to Orders team', text: expect.stringContaining('Orders team has this conversation now') });
  });

  it('says escalated for an escalation, and a person when no team is named', () => {
    const notice = paneNotice({ error: closed, outcome: { kind: 'escalated', team: null, reason: 'asked' } });
    expect(notice?.tone).toBe('info');
    expect(notice?.title).toBe('Escalated to a person');
  });

  it('keeps a model failure an error, even in the turn that handed off', () => {
    const failure = 'The model failed during this turn (refused: prompt is too long).';
    expect(paneNotice({ error: failure, outcome: { kind: 'handed_off', team: 'Support team', reason: 'model unavailable' } })).toEqual({ tone: 'error', text: failure });
  });

  it('shows nothing without a problem', () => {
    expect(paneNotice({ error: null, outcome: { kind: 'handed_off', team: 'Orders team', reason: 'procedure' } })).toBeNull();
  });
});
