// Which Procedure each event of a trace happened in, folded from the runtime's own Procedure events
// (main/runtime/frames.ts): procedure_start pushes the Procedure it starts (a conversation's, a
// sub-procedure's, a topic's); procedure_end ends it; procedure_pause sets the whole running stack
// aside for a change of topic, and procedure_resume brings back the one set aside last. The
// preview's path, step coverage and the trace timeline read traces with this one walk, so they
// never disagree about where an event happened. A trace with events missing (an end never
// recorded) is read as far as it can be, never refused: an event that names its Procedure is
// taken at its word. Pure.

/** The least of a trace event the walk reads (the engine's, the API's and the tests' events all fit). */
export interface ProcedureEvent {
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Where one event happened. */
export interface ProcedurePlace {
  /** The Procedure it happened in: the one it names, else the innermost one running; null when none is. */
  readonly procedure: string | null;
  /**
   * The Procedures running as it happened, outermost first (a sub-procedure above its caller);
   * paused topics are not in it. A start or a resume is counted with its Procedure running, an end
   * or a pause with it still running.
   */
  readonly running: readonly string[];
}

/** The place of each event of `trace`, by position. */
export function procedurePlaces(trace: readonly ProcedureEvent[]): ProcedurePlace[] {
  let running: readonly string[] = [];
  const paused: (readonly string[])[] = [];
  return trace.map((event) => {
    const named = typeof event.payload.procedure === 'string' && event.payload.procedure !== '' ? event.payload.procedure : null;
    let during = running;
    switch (event.type) {
      case 'procedure_start':
        if (named) running = during = [...running, named];
        break;
      case 'procedure_end':
        // The Procedures above the one ending (ends not recorded) end with it.
        if (named && running.includes(named)) running = running.slice(0, running.lastIndexOf(named));
        break;
      case 'procedure_pause':
        if (running.length > 0) paused.push(running);
        running = [];
        break;
      case 'procedure_resume': {
        const resumed = paused.pop() ?? [];
        running = during = named === null ? resumed : resumed.includes(named) ? resumed.slice(0, resumed.lastIndexOf(named) + 1) : [named];
        break;
      }
      default:
        // A step of a Procedure below the innermost one: the ones above it ended unrecorded.
        if (event.type === 'step_enter' && named && running.includes(named)) running = during = running.slice(0, running.lastIndexOf(named) + 1);
        break;
    }
    return { procedure: named ?? during.at(-1) ?? null, running: during };
  });
}
