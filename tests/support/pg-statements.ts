// What this process sends to PostgreSQL through pg (the real client: every call goes on to the
// server unchanged), to count statements and round trips.
import pg from 'pg';
import { vi } from 'vitest';

const firstWord = (text: string) => text.trim().split(/\s+/)[0]!.toUpperCase();

/** The first word of every statement asked for, in order. */
export function recordStatements(): { sent: string[]; restore(): void } {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (text) sent.push(firstWord(text));
    return (query as (...input: unknown[]) => unknown).apply(this, args);
  } as typeof query);
  return { sent, restore: () => spy.mockRestore() };
}

type Handler = (this: pg.Query & { text: string }, ...input: unknown[]) => unknown;

/**
 * When each query is written to its connection (a connection that does not pipeline holds a query
 * back until the one before is answered) and when it is answered ("sent X", "answered X"), and the
 * round trips that makes: a query written while nothing else is waiting for an answer starts one.
 */
export function recordWire(): { events: string[]; roundTrips(): number; restore(): void } {
  const events: string[] = [];
  const prototype = pg.Query.prototype as unknown as Record<'submit' | 'handleReadyForQuery', Handler>;
  const spies = (['submit', 'handleReadyForQuery'] as const).map((method) => {
    const original = prototype[method];
    const label = method === 'submit' ? 'sent' : 'answered';
    return vi.spyOn(prototype, method).mockImplementation(function (this: pg.Query & { text: string }, ...args: unknown[]) {
      events.push(`${label} ${firstWord(this.text)}`);
      return original.apply(this, args);
    } as Handler);
  });
  const roundTrips = () => {
    let waiting = 0;
    let trips = 0;
    for (const event of events) {
      if (event.startsWith('sent')) trips += waiting++ === 0 ? 1 : 0;
      else waiting--;
    }
    return trips;
  };
  return { events, roundTrips, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}
