// Records the first word of every statement this process sends to PostgreSQL through pg (the
// real client: the call goes on to the server unchanged), to count round trips.
import pg from 'pg';
import { vi } from 'vitest';

export function recordStatements(): { sent: string[]; restore(): void } {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (text) sent.push(text.trim().split(/\s+/)[0]!.toUpperCase());
    return (query as (...input: unknown[]) => unknown).apply(this, args);
  } as typeof query);
  return { sent, restore: () => spy.mockRestore() };
}
