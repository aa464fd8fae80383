// Resident memory per agent: one probe process per agent, one at a time (they share the fake
// server), each after a few conversations, and a bare probe for what Node, tsx and the bench's own
// code take before any framework is loaded.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AgentName } from './agent';
import type { FakeModelProcess } from './fake-process';
import type { ProbeReport, RelayReply, RelayRequest } from './rss-protocol';

export interface Memory {
  /** The probe and its child processes, bytes. */
  rss: number;
  /** The probe alone, bytes. */
  own: number;
  /** Model calls the probe's conversations made. */
  calls: number;
}

export async function probeMemory(fake: FakeModelProcess, name: AgentName | 'bare', conversations: number): Promise<Memory> {
  const child = fork(fileURLToPath(new URL('./rss-probe.ts', import.meta.url)), [name, fake.url, String(conversations)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let report: ProbeReport | undefined;
  child.on('message', (message: RelayRequest | ProbeReport) => {
    if ('report' in message) {
      report = message;
      return;
    }
    const answer = async (): Promise<RelayReply> => {
      if (message.op === 'queue') {
        await fake.queue(message.model, message.responses);
        return { id: message.id };
      }
      return { id: message.id, taken: await fake.take(message.model) };
    };
    void answer().then((reply) => child.connected && child.send(reply));
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0 || !report) throw new Error(`The memory probe for ${name} failed (exit code ${code})`);
  return { rss: report.rss, own: report.own, calls: report.calls };
}
