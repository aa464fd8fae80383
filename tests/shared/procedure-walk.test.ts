// Which Procedure each trace event happened in (shared/trace/procedure-walk.ts), the one walk the
// preview's path, step coverage and the trace timeline share. Traces are written the way the
// runtime emits them (main/runtime/frames.ts): a sub-procedure starts above its caller and ends back
// into it; a change of topic pauses the whole stack and resumes it when the topic ends; a switch
// ends every running Procedure, innermost first, and starts the new one.
import { describe, expect, it } from 'vitest';
import { procedurePlaces, type ProcedureEvent } from '../../shared/trace';

const start = (procedure: string, kind = 'main'): ProcedureEvent => ({ type: 'procedure_start', payload: { procedure, version: 1, kind } });
const end = (procedure: string, complete = false): ProcedureEvent => ({ type: 'procedure_end', payload: { procedure, summary: null, ...(complete ? { complete } : {}) } });
const step = (procedure: string): ProcedureEvent => ({ type: 'step_enter', payload: { procedure, revisit: false } });
const pause = (procedure: string): ProcedureEvent => ({ type: 'procedure_pause', payload: { procedure, reason: 'new topic' } });
const resume = (procedure: string): ProcedureEvent => ({ type: 'procedure_resume', payload: { procedure } });
const condition: ProcedureEvent = { type: 'condition', payload: { nodeId: 'step:a/cond1', branchId: 'step:a/cond1/b1', kind: 'python', result: true } };
const reply: ProcedureEvent = { type: 'tool_call', payload: { tool: 'reply' } };

/** Each event as "procedure | running", the easiest form to read a whole walk in. */
const walk = (trace: ProcedureEvent[]) => procedurePlaces(trace).map((place) => `${place.procedure ?? '-'} | ${place.running.join(' > ')}`);

describe('the Procedure each event happened in', () => {
  it('nests sub-procedures: events go to the innermost, and an end returns to the caller', () => {
    expect(
      walk([start('Claim'), step('Claim'), start('Verify', 'sub'), step('Verify'), start('Send code', 'sub'), condition, end('Send code'), condition, end('Verify'), condition, end('Claim', true), reply]),
    ).toEqual([
      'Claim | Claim',
      'Claim | Claim',
      'Verify | Claim > Verify',
      'Verify | Claim > Verify',
      'Send code | Claim > Verify > Send code',
      'Send code | Claim > Verify > Send code',
      // An end is counted with its Procedure still running.
      'Send code | Claim > Verify > Send code',
      'Verify | Claim > Verify',
      'Verify | Claim > Verify',
      'Claim | Claim',
      'Claim | Claim',
      '- | ',
    ]);
  });

  it('sets the whole stack aside on a change of topic, and brings it back when the topic ends', () => {
    expect(
      walk([start('Claim'), start('Verify', 'sub'), pause('Verify'), start('Opening hours'), condition, end('Opening hours'), resume('Verify'), condition, end('Verify'), condition]),
    ).toEqual([
      'Claim | Claim',
      'Verify | Claim > Verify',
      'Verify | Claim > Verify',
      // The topic runs alone: the paused Procedures are not running.
      'Opening hours | Opening hours',
      'Opening hours | Opening hours',
      'Opening hours | Opening hours',
      'Verify | Claim > Verify',
      'Verify | Claim > Verify',
      'Verify | Claim > Verify',
      'Claim | Claim',
    ]);
  });

  it('resumes topics paused inside topics last first', () => {
    const places = procedurePlaces([start('Claim'), pause('Claim'), start('Returns'), pause('Returns'), start('Hours'), end('Hours'), resume('Returns'), end('Returns'), resume('Claim'), condition]);
    expect(places.map((place) => place.procedure)).toEqual(['Claim', 'Claim', 'Returns', 'Returns', 'Hours', 'Hours', 'Returns', 'Returns', 'Claim', 'Claim']);
    expect(places.at(-1)!.running).toEqual(['Claim']);
  });

  it('leaves every Procedure for good on a switch: nothing is resumed after the new one', () => {
    // The runtime ends the running Procedures innermost first, then starts the one switched to.
    expect(walk([start('Claim'), start('Verify', 'sub'), end('Verify'), end('Claim'), start('Refund', 'switched'), condition, end('Refund', true), reply])).toEqual([
      'Claim | Claim',
      'Verify | Claim > Verify',
      'Verify | Claim > Verify',
      'Claim | Claim',
      'Refund | Refund',
      'Refund | Refund',
      'Refund | Refund',
      '- | ',
    ]);
  });

  it('reads past an end that was never recorded, taking events that name their Procedure at their word', () => {
    // The sub-procedure's end is missing: the caller's next step shows it is back in the caller.
    expect(walk([start('Claim'), start('Verify', 'sub'), step('Verify'), step('Claim'), condition])).toEqual([
      'Claim | Claim',
      'Verify | Claim > Verify',
      'Verify | Claim > Verify',
      'Claim | Claim',
      'Claim | Claim',
    ]);
    // The caller's end ends the sub-procedure above it too.
    expect(walk([start('Claim'), start('Verify', 'sub'), end('Claim'), condition]).slice(-1)).toEqual(['- | ']);
    // A trace that stops mid-way (a conversation still going) leaves its Procedures running.
    expect(procedurePlaces([start('Claim'), start('Verify', 'sub')]).at(-1)!.running).toEqual(['Claim', 'Verify']);
    // A step of a Procedure that is not running is its own, and changes nothing else.
    expect(walk([start('Claim'), step('Elsewhere'), condition])).toEqual(['Claim | Claim', 'Elsewhere | Claim', 'Claim | Claim']);
  });

  it('ignores events it does not know and payloads of the wrong shape, never throwing', () => {
    const odd: ProcedureEvent[] = [
      { type: 'procedure_start', payload: { procedure: 42 } },
      { type: 'procedure_start', payload: { procedure: '' } },
      { type: 'procedure_end', payload: { procedure: null } },
      { type: 'mystery', payload: { procedure: 'Named' } },
      { type: 'mystery', payload: {} },
      start('Claim'),
      // The end of a Procedure that is not running ends nothing.
      end('Other'),
      { type: 'mystery', payload: { anything: [1, 2] } },
      // A resume with nothing paused: the Procedure it names runs.
      resume('Returns'),
      // A pause with nothing running sets nothing aside, so it does not take the next resume's place.
      pause('Returns'),
      pause('Nothing'),
      start('Hours'),
      end('Hours'),
      resume('Returns'),
    ];
    expect(walk(odd)).toEqual([
      '- | ',
      '- | ',
      '- | ',
      'Named | ',
      '- | ',
      'Claim | Claim',
      'Other | Claim',
      'Claim | Claim',
      'Returns | Returns',
      'Returns | Returns',
      'Nothing | ',
      'Hours | Hours',
      'Hours | Hours',
      'Returns | Returns',
    ]);
    expect(procedurePlaces([])).toEqual([]);
  });

  it('gives each event its own running list, which later events never change', () => {
    const places = procedurePlaces([start('Claim'), start('Verify', 'sub'), end('Verify'), start('Send code', 'sub')]);
    expect(places.map((place) => [...place.running])).toEqual([['Claim'], ['Claim', 'Verify'], ['Claim', 'Verify'], ['Claim', 'Send code']]);
    expect(places[1]!.running).not.toBe(places[3]!.running);
  });
});
