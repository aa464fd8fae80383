// Long conversations: the model's history is stored whole and append-only, and sent whole (so the
// prompt prefix stays cacheable) until it passes a byte budget. Then the request starts later in
// it, down to a smaller size, in one cut, so the prefix is broken once every several turns rather
// than on every call. Where the window starts and a summary of what lies before it are kept with
// the conversation (promptMemory.window). What the dropped part established is kept in two ways:
// the runtime tells the model the whole state again in the next message (attributes, connector
// results, the step, what is pending), and the summary at the head of the window keeps the
// decisions and the gist of what was said.
//
// A cut only ever falls before a user message, and that message's tool results go with the tool
// calls they answer, so a tool_use is never separated from its tool_result.

type Message = { role: 'user' | 'assistant'; content: unknown };

export interface HistoryBudget {
  /** Trim once the window is larger than this (bytes of JSON). */
  maxBytes: number;
  /** …down to at most this, keeping the newest exchanges. */
  keepBytes: number;
  /** The summary of what was dropped never grows past this. */
  summaryBytes: number;
}

export const HISTORY_BUDGET: HistoryBudget = { maxBytes: 20_000, keepBytes: 8_000, summaryBytes: 2_500 };

/** Where the messages sent to the model start in the stored history, and the summary of what lies before. */
export interface HistoryWindow {
  from: number;
  summary: string | null;
}

export const WHOLE_HISTORY: HistoryWindow = { from: 0, summary: null };

const SUMMARY_OPEN = '<earlier_turns>';
const SUMMARY_CLOSE = '</earlier_turns>';
const MAX_LINE_CHARS = 160;

// Stored messages never change: each is measured once, not on every call.
const sizes = new WeakMap<Message, number>();
function bytes(message: Message): number {
  let size = sizes.get(message);
  if (size === undefined) sizes.set(message, (size = Buffer.byteLength(JSON.stringify(message))));
  return size;
}

/**
 * The messages to send from the stored history: the window as it stands, or, once it is over
 * budget, a new window starting later (`trimmed`), its first message carrying the summary.
 */
export function historyWindow(
  history: readonly Message[],
  window: HistoryWindow = WHOLE_HISTORY,
  budget: HistoryBudget = HISTORY_BUDGET,
): { window: HistoryWindow; messages: Message[]; trimmed: boolean } {
  const current = windowMessages(history, window);
  const measured = current.map(bytes);
  let total = measured.reduce((sum, size) => sum + size, 0);
  if (total <= budget.maxBytes) return { window, messages: current, trimmed: false };
  // The earliest cut before a user message that leaves at most keepBytes; at the latest, the last
  // user message, so the newest exchange always stays.
  let cut = -1;
  for (let index = 1; index < current.length; index++) {
    total -= measured[index - 1]!;
    if (current[index]!.role !== 'user') continue;
    cut = index;
    if (total <= budget.keepBytes) break;
  }
  if (cut < 0) return { window, messages: current, trimmed: false };
  const next: HistoryWindow = { from: Math.min(window.from, history.length) + cut, summary: summarize(current.slice(0, cut), budget.summaryBytes) };
  return { window: next, messages: windowMessages(history, next), trimmed: true };
}

function windowMessages(history: readonly Message[], window: HistoryWindow): Message[] {
  if (window.from <= 0 && window.summary === null) return [...history];
  const first = history[window.from];
  if (!first) return [...history];
  // Its tool results answer calls before the window: they go with them.
  const rest = blocks(first.content).filter((block) => block.type !== 'tool_result');
  return [{ role: 'user', content: [{ type: 'text', text: window.summary ?? '' }, ...rest] }, ...history.slice(window.from + 1)];
}

type Block = { type: string; text?: string; name?: string; input?: unknown };

function blocks(content: unknown): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? (content as Block[]) : [];
}

/**
 * The dropped part as short lines, oldest first: an earlier summary's lines, what the customer
 * said, the replies, and every other tool call (decisions, moves, actions) with its input. Past
 * the byte cap, the opening lines (why the customer came) and the newest are kept, and the
 * middle goes.
 */
export function summarize(dropped: readonly Message[], maxBytes: number): string {
  const lines: string[] = [];
  let omitted = false;
  for (const message of dropped) {
    for (const block of blocks(message.content)) {
      if (block.type === 'text' && block.text) {
        const text = block.text;
        if (text.startsWith(SUMMARY_OPEN)) {
          for (const line of text.slice(SUMMARY_OPEN.length, text.lastIndexOf(SUMMARY_CLOSE)).split('\n')) {
            if (line === OMITTED) omitted = true;
            else if (line.startsWith('- ')) lines.push(line);
          }
        }
        for (const said of text.matchAll(/<customer_message>\n([\s\S]*?)\n<\/customer_message>/g)) lines.push(`- customer: ${shorten(said[1]!)}`);
      } else if (block.type === 'tool_use' && block.name) {
        const input = (block.input ?? {}) as Record<string, unknown>;
        if (block.name === 'reply') lines.push(`- you: ${shorten(String(input.message ?? ''))}`);
        else lines.push(`- ${block.name} ${shorten(JSON.stringify(input))}`);
      }
    }
  }
  const render = (kept: string[], gap: boolean) =>
    [SUMMARY_OPEN, HEADER, ...kept.slice(0, OPENING_LINES), ...(gap ? [OMITTED] : []), ...kept.slice(OPENING_LINES), SUMMARY_CLOSE].join('\n');
  let kept = lines;
  while (kept.length > OPENING_LINES && Buffer.byteLength(render(kept, true)) > maxBytes) {
    kept = [...kept.slice(0, OPENING_LINES), ...kept.slice(OPENING_LINES + 1)];
    omitted = true;
  }
  return render(kept, omitted);
}

const HEADER = 'Earlier turns were trimmed to save space; the state that follows is complete. What they held, oldest first:';
const OMITTED = '- (lines omitted here)';
/** The opening of the conversation is kept whatever comes after. */
const OPENING_LINES = 4;

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_LINE_CHARS ? `${flat.slice(0, MAX_LINE_CHARS - 1)}…` : flat;
}
