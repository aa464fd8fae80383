// A memory probe: a process of its own that loads one agent's framework (or none: "bare", the
// baseline every probe shares), runs the conversation a few times against the bench's fake server
// (scripted through the parent, which relays to the server), and reports its resident memory,
// with the processes it started (Stepwise's Python interpreter).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConnectors } from './agent';
import { AGENTS } from './agents';
import { runConversation, type ScriptedServer } from './measure';
import { installModelClock } from './model-clock';
import { descendants, rssOf } from './process-tree';
import type { ProbeReport, RelayReply, RelayRequestBody } from './rss-protocol';

const [name, url, count] = process.argv.slice(2) as [string, string, string];
let nextId = 1;
const waiting = new Map<number, (reply: RelayReply) => void>();
process.on('message', (reply: RelayReply) => {
  waiting.get(reply.id)?.(reply);
  waiting.delete(reply.id);
});
const relay = (request: RelayRequestBody) =>
  new Promise<RelayReply>((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve);
    process.send!({ ...request, id });
  });
const server: ScriptedServer = {
  queue: async (model, responses) => {
    await relay({ op: 'queue', model, responses });
  },
  take: async (model) => (await relay({ op: 'take', model })).taken!,
};

const connectors = benchConnectors();
const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-peers-rss-'));
const clock = installModelClock();
const entry = AGENTS.find((candidate) => candidate.name === name);
if (entry) {
  const agent = await entry.create({ url, model: `${entry.model}-rss`, connectors, dir });
  const running = { entry: { ...entry, model: `${entry.model}-rss` }, agent, connectors };
  let calls = 0;
  for (let index = 0; index < Number(count); index++) {
    const turns = await runConversation(running, { server, clock });
    calls += turns.reduce((sum, turn) => sum + turn.requests.length, 0);
  }
  report(calls);
  await agent.close();
} else {
  report(0);
}
clock.uninstall();
rmSync(dir, { recursive: true, force: true });
process.disconnect();

function report(calls: number) {
  const message: ProbeReport = { report: true, rss: rssOf(descendants()), own: process.memoryUsage().rss, calls };
  process.send!(message);
}
