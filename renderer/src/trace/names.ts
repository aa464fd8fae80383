// Ids in the Procedure's own words, for one event's place (its Procedure's labels): a step's title,
// a branch's label, quoted and shortened to a limit; an id the labels do not know shows as itself,
// marked as unknown. Shared by the trace's describer and the compare banner. Pure.
import type { NodeWords, TraceLabels } from './trace-labels';

/** Where an event happened: the labels of the conversation's Procedures and the one it was in. */
export interface EventPlace {
  labels: TraceLabels;
  procedure: string | null;
}

export const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : (JSON.stringify(value) ?? String(value)));
const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

/** A graph id inside running text: step:decide, step:decide/cond1/b1, step:decide/handoff:orders-team (a trailing full stop is not part of it). */
const ID_IN_TEXT = /\bstep:[\w-]+(?:\/[\w\-:.]*[\w-])*/g;

/** Quoted, with quotes inside made single so they nest: “status is ‘shipped’”. */
export function quoted(words: string, limit: number): string {
  const inner = words.replace(/\s+/g, ' ').trim().replace(/“/g, '‘').replace(/”/g, '’');
  return `“${inner.length > limit ? `${inner.slice(0, limit - 1).trimEnd()}…` : inner}”`;
}

/** Looks ids up in the labels of the Procedure the event happened in. */
export class Namer {
  constructor(
    readonly place: EventPlace,
    readonly limit: number,
  ) {}

  node(id: unknown): NodeWords | undefined {
    const key = str(id);
    if (!key) return undefined;
    const own = this.place.procedure ? this.place.labels.get(this.place.procedure) : undefined;
    return own?.nodes.get(key);
  }

  /** A node's label, quoted; an unknown id as itself, marked. */
  name(id: unknown, what: string): string {
    const words = this.node(id);
    if (words) return this.quote(words.label);
    const key = str(id);
    return key ? `${key} (unknown ${what})` : `an unnamed ${what}`;
  }

  quote(words: unknown): string {
    return quoted(text(words), this.limit);
  }

  /** Unquoted (a team's name reads as it is), shortened like the rest. */
  plain(words: unknown): string {
    const whole = text(words).replace(/\s+/g, ' ').trim();
    return whole.length > this.limit ? `${whole.slice(0, this.limit - 1).trimEnd()}…` : whole;
  }

  /** Free text from the runtime (a refusal's reason, a tool's result) with the ids it names put in words where known. */
  inText(value: unknown): string {
    return text(value).replace(ID_IN_TEXT, (id) => {
      const words = this.node(id);
      return words ? this.quote(words.label) : id;
    });
  }

  procedure(name: unknown): string {
    const key = str(name);
    return key ? this.quote(key) : 'a Procedure';
  }
}

