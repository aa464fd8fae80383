// What a pane's banner says after a turn. A message sent to a conversation a person has taken over
// is refused by the engine ("is with a person now"); that is a normal outcome, not a failure, so it
// is told as information naming who has it. Everything else the turn reports stays an error.
import type { PreviewStatus } from '../../../shared/api';

export interface PaneNotice {
  tone: 'info' | 'error';
  title?: string;
  text: string;
}

const WITH_A_PERSON = /is with a person now/;

export function paneNotice(status: Pick<PreviewStatus, 'error' | 'outcome'>): PaneNotice | null {
  if (!status.error) return null;
  const outcome = status.outcome;
  if (WITH_A_PERSON.test(status.error) && outcome && outcome.kind !== 'ended') {
    const who = outcome.team ?? 'a person';
    const verb = outcome.kind === 'escalated' ? 'Escalated' : 'Handed off';
    return { tone: 'info', title: `${verb} to ${who}`, text: `${who} has this conversation now, so it takes no more messages here. Restart to begin a new one.` };
  }
  return { tone: 'error', text: status.error };
}
