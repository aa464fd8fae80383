// The production bench's fake model, loaded by bench/support/fake-model-worker.ts in a thread of
// its own: a routing call gets the Returns Procedure, any other call a reply. Each answer comes
// after `delayMs`; with a `capacity`, at most that many calls are answered at once and the others
// wait their turn, first come first served — a model deployment with a fixed number of slots.
// It keeps its own time per customer turn (the turn's token, "[turn <conversation>.<n>]", in the
// customer's words), from taking a call to answering it, so the bench subtracts the model's own
// time, its timer's lateness included, and nothing of the server's.
import { toolCall, toolCalls, type FakeResponse, type RecordedRequest } from '../../tests/support/fake-anthropic';

export interface ModelOptions {
  delayMs: number;
  /** How many calls are answered at once (Infinity: all). */
  capacity: number;
}

let options: ModelOptions = { delayMs: 200, capacity: Infinity };
let busy = 0;
const waiting: (() => void)[] = [];
let replies = 0;
const ownMs = new Map<string, number>();

/** The model's own time per turn token since the last report; clears it. */
export function report(): Record<string, number> {
  const out = Object.fromEntries(ownMs);
  ownMs.clear();
  return out;
}

export function configure(next: Partial<ModelOptions>): void {
  options = { ...options, ...next };
}

export async function script(request: RecordedRequest): Promise<FakeResponse> {
  const started = performance.now();
  await takeSlot();
  try {
    if (options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
  } finally {
    releaseSlot();
  }
  // The newest customer message is the last token in the conversation sent.
  const token = [...JSON.stringify(request.body.messages).matchAll(/\[turn (\d+\.\d+)\]/g)].at(-1)?.[1];
  if (token) ownMs.set(token, (ownMs.get(token) ?? 0) + performance.now() - started);
  return request.body.tools?.some((tool) => tool.name === 'route')
    ? toolCall('route', { procedure: 'Returns', reason: 'return' })
    : toolCalls(['reply', { message: `Which item would you like to return? (${++replies})` }]);
}

async function takeSlot(): Promise<void> {
  if (busy < options.capacity) {
    busy += 1;
    return;
  }
  // The slot is handed over by releaseSlot, so `busy` already counts this call.
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function releaseSlot(): void {
  const next = waiting.shift();
  if (next) next();
  else busy -= 1;
}
