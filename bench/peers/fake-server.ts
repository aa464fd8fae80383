// The peer bench's fake Messages API, in a process of its own so that the bench's process spends
// its CPU only on the agents. Answers are scripted per model name (one per agent): the parent
// queues each turn's answers before the turn and takes the requests served after it. A request
// for a model with nothing queued gets a 500, and is reported, so a run that strays is seen.
import { startFakeAnthropic, type FakeResponse, type RecordedRequest } from '../../tests/support/fake-anthropic';
import type { FakeCommand, FakeReply, ServedRequest } from './fake-protocol';

const queues = new Map<string, FakeResponse[]>();
/** Per model, its last request in the order the API caches it, for the prefix the next one shares. */
const previous = new Map<string, string>();
const unexpected: string[] = [];
const fake = await startFakeAnthropic((request) => {
  const next = queues.get(request.body.model)?.shift();
  if (next) return next;
  unexpected.push(request.body.model);
  return { status: 500, error: { type: 'api_error', message: `No scripted answer left for model ${request.body.model}` } };
});

const send = (message: FakeReply) => process.send!(message);

/** The request in the order the API caches it (tools, system, messages), without cache markers (as the runtime bench reads it). */
function canonical(body: RecordedRequest['body']): string {
  const strip = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value), (key, inner: unknown) => (key === 'cache_control' ? undefined : inner)));
  return JSON.stringify([strip(body.tools), strip(body.system), strip(body.messages)]);
}

function commonPrefix(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length += 1;
  return length;
}

process.on('message', (command: FakeCommand) => {
  if (command.op === 'queue') {
    queues.set(command.model, [...(queues.get(command.model) ?? []), ...command.responses]);
    send({ id: command.id });
  } else if (command.op === 'take') {
    // Only this model's requests: memory probes of different agents may run at once.
    const served: ServedRequest[] = [];
    for (let index = 0; index < fake.requests.length; ) {
      const request = fake.requests[index]!;
      if (request.body.model !== command.model) {
        index += 1;
        continue;
      }
      fake.requests.splice(index, 1);
      const cached = canonical(request.body);
      const shared = commonPrefix(previous.get(command.model) ?? '', cached);
      previous.set(command.model, cached);
      served.push({ model: request.body.model, bytes: request.bytes, messages: request.body.messages.length, prefixShared: shared / cached.length });
    }
    const strays = unexpected.filter((model) => model === command.model);
    unexpected.splice(0, unexpected.length, ...unexpected.filter((model) => model !== command.model));
    send({ id: command.id, served, unexpected: strays, left: queues.get(command.model)?.length ?? 0 });
  } else if (command.op === 'close') {
    void fake.close().then(() => {
      send({ id: command.id });
      process.disconnect();
    });
  }
});
send({ id: 0, url: fake.url });
// The bench gone (killed, crashed): nothing is left listening.
process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
