// What the PostgreSQL store's tests share: a turn to save, statements on a connection of their own
// (as another program would see the database), and waiting for something another connection does.
import pg from 'pg';
import type { TurnRecord } from '../../main/store/repositories';

/** A turn that said `content`: its history holds that one entry. */
export const turn = (content: string, overrides: Partial<TurnRecord> = {}): TurnRecord => ({
  state: { said: content },
  history: [{ said: content }],
  status: 'waiting',
  newMessages: [{ role: 'agent', content }],
  trace: [{ type: 'reply', payload: { content } }],
  ...overrides,
});

/** `work` on a connection of its own to `url`, closed after. */
export async function otherConnection<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** One statement's rows, on a connection of its own. */
export const sql = <R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> =>
  otherConnection(url, async (client) => (await client.query<R>(text, params)).rows);

/** A conversation's transcript as committed (what another connection sees). */
export const messagesSeenElsewhere = async (url: string, id: number) =>
  (await sql<{ content: string }>(url, 'SELECT content FROM messages WHERE conversation_id = $1 ORDER BY seq', [id])).map((row) => row.content);

/** Waits until `check` holds, or fails naming `what`. */
export async function until(check: () => Promise<boolean>, what: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
