// The production bench's customers: each creates a conversation, then sends its messages one
// after the other, over real HTTP, round robin across the servers as a load balancer does. Either
// back to back (the next message the moment the reply arrives: the load a server's throughput is
// measured under) or as people chat: the first message at a random moment of the first
// `thinkMs`, each next one 0.5–1.5 × `thinkMs` after the reply (seeded, so runs compare).
import { makeRandom } from '../corpus';

export interface CustomerLoad {
  conversations: number;
  turns: number;
  /** The mean pause between a reply and the next message; 0: back to back. */
  thinkMs: number;
}

export interface TurnTiming {
  /** The turn's token in the customer's words, "<conversation>.<n>": the fake model keys its own time by it. */
  token: string;
  /** What the customer waited, send to whole answer. */
  clientMs: number;
  /** Server-Timing: the server's whole time for the turn, from the request's arrival. */
  serverMs: number;
  /** Server-Timing: the part spent waiting for model calls, as the server timed them. */
  modelMs: number;
  calls: number;
}

export interface CustomersResult {
  timings: TurnTiming[];
  failed: number;
  wallMs: number;
}

export async function runCustomers(servers: readonly { url: string }[], key: string, load: CustomerLoad, deadlineMs: number): Promise<CustomersResult> {
  let next = 0;
  const base = () => servers[next++ % servers.length]!.url;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const random = makeRandom(load.conversations * 1_000 + load.turns);
  const pause = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
  const deadline = AbortSignal.timeout(deadlineMs);
  const timings: TurnTiming[] = [];
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: load.conversations }, async () => {
      let attempted = 0;
      try {
        await pause(random() * load.thinkMs);
        const created = await fetch(`${base()}/v1/conversations`, { method: 'POST', headers, body: '{}', signal: deadline });
        if (created.status !== 201) {
          failed += load.turns;
          return;
        }
        const { id } = (await created.json()) as { id: number };
        for (let turn = 1; turn <= load.turns; turn++) {
          if (turn > 1) await pause((0.5 + random()) * load.thinkMs);
          const sent = performance.now();
          const token = `${id}.${turn}`;
          const response = await fetch(`${base()}/v1/conversations/${id}/messages`, { method: 'POST', headers, body: JSON.stringify({ text: `I want to return a mug [turn ${token}]` }), signal: deadline });
          await response.arrayBuffer();
          const clientMs = performance.now() - sent;
          attempted++;
          const timing = parseServerTiming(response.headers.get('server-timing'));
          // Every turn calls the model: a turn that did not (an escalation) would not measure the same thing.
          if (response.status !== 200 || !timing || timing.calls === 0) {
            failed++;
            continue;
          }
          timings.push({ token, clientMs, ...timing });
        }
      } catch (error) {
        if (!deadline.aborted) throw error;
        // Cut short by the deadline: this customer's turns not done count as failed.
        failed += load.turns - attempted;
      }
    }),
  );
  return { timings, failed, wallMs: performance.now() - started };
}

/** `total;dur=412.3, model;dur=401.0;desc="2 calls"` → its figures, or null when a part is missing. */
export function parseServerTiming(header: string | null): { serverMs: number; modelMs: number; calls: number } | null {
  const match = /total;dur=([\d.]+), model;dur=([\d.]+);desc="(\d+) calls?"/.exec(header ?? '');
  return match ? { serverMs: Number(match[1]), modelMs: Number(match[2]), calls: Number(match[3]) } : null;
}
