// Starts the fake model server process (fake-server.ts) and talks to it.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeResponse } from '../../tests/support/fake-anthropic';
import type { FakeCommand, FakeReply, ServedRequest } from './fake-protocol';

export interface Taken {
  served: ServedRequest[];
  /** Requests that came when nothing was queued. */
  unexpected: string[];
  /** Answers queued and never asked for. */
  left: number;
}

export interface FakeModelProcess {
  url: string;
  pid: number;
  /** Queues answers for the agent that asks for `model`. */
  queue(model: string, responses: FakeResponse[]): Promise<void>;
  /** The requests for `model` served since its last take, and what is left queued for it. */
  take(model: string): Promise<Taken>;
  close(): Promise<void>;
}

type Command = FakeCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

export async function startFakeModelProcess(): Promise<FakeModelProcess> {
  const child = fork(fileURLToPath(new URL('./fake-server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (reply: FakeReply) => void>();
  let nextId = 1;
  let failed: Error | undefined;
  const ready = new Promise<string>((resolve, reject) => {
    pending.set(0, (reply) => resolve(reply.url!));
    child.once('error', reject);
    child.once('exit', (code) => {
      failed = new Error(`The fake model server process exited (code ${code})`);
      for (const waiter of pending.values()) waiter({ id: -1 });
      reject(failed);
    });
  });
  child.on('message', (reply: FakeReply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  const ask = (command: Command): Promise<FakeReply> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, (reply) => (reply.id === -1 ? reject(failed) : resolve(reply)));
      child.send({ ...command, id });
    });
  };
  const url = await ready;
  return {
    url,
    pid: child.pid!,
    queue: async (model, responses) => {
      await ask({ op: 'queue', model, responses });
    },
    take: async (model) => {
      const reply = await ask({ op: 'take', model });
      return { served: reply.served!, unexpected: reply.unexpected!, left: reply.left! };
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask({ op: 'close' });
      await exited;
    },
  };
}
