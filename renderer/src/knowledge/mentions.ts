// Where a Procedure tells the agent to search the knowledge hub, and a test query for each place: the
// words an agent at that point would likely search with (the step's title and the sentence, less
// the instruction itself and the Procedure syntax), which the author can then change.

export interface KnowledgeMention {
  /** 1-based line of the mention. */
  line: number;
  /** The step it is in ("## Find the order"), or null before the first step. */
  step: string | null;
  /** The sentence that mentions the hub, as written. */
  sentence: string;
  /** A first test query for it. */
  query: string;
}

// "search the knowledge hub", "searches the knowledge base", "searching the Knowledge Hub"…, across a line break too.
const MENTION = /\bsearch(?:es|ing)?\s+(?:in\s+)?the\s+knowledge\s+(?:hub|base)\b/gi;
/** More would not be read; a Procedure with this many mentions is unusual. */
export const MAX_MENTIONS = 50;

export function knowledgeMentions(text: string): KnowledgeMention[] {
  const mentions: KnowledgeMention[] = [];
  const body = bodyStart(text);
  for (const match of text.matchAll(MENTION)) {
    if (match.index < body) continue; // front matter: a description, not an instruction
    const line = lineOf(text, match.index);
    const step = stepBefore(text, match.index);
    const sentence = sentenceAround(text, match.index, match.index + match[0].length);
    mentions.push({ line, step, sentence, query: testQuery(step, sentence) });
    if (mentions.length === MAX_MENTIONS) break;
  }
  return mentions;
}

/** The step's title and the sentence, less the instruction and the syntax a search would not contain. */
export function testQuery(step: string | null, sentence: string): string {
  const words = `${step ?? ''} ${sentence}`
    .replace(new RegExp(MENTION.source, 'gi'), ' ')
    .replace(/\[\[[^\]]*\]\]/g, ' ') // sub-procedure calls
    .replace(/@[\w.]+/g, ' ') // @handoff, @connector.action
    .replace(/`[^`]*`/g, ' ') // inline code
    .replace(/\{([\w]+)\}/g, (_, name: string) => ` ${name.replace(/_/g, ' ')} `) // {order_number} → order number
    .replace(/[^\p{L}\p{N}'’\s-]/gu, ' ')
    .split(/\s+/)
    // Contractions ("can't") say nothing a search could use.
    .filter((word) => word !== '' && !/['’]/.test(word));
  return words.join(' ');
}

function bodyStart(text: string): number {
  const front = /^---\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  return front ? front[0].length : 0;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) line++;
  return line;
}

function stepBefore(text: string, offset: number): string | null {
  const headings = [...text.slice(0, offset).matchAll(/^##[ \t]+(.+?)[ \t]*$/gm)];
  return headings.at(-1)?.[1] ?? null;
}

const startsBlock = (line: string) => /^\s*(?:#|[-*+]\s|\d+[.)]\s)/.test(line);
const lineFrom = (text: string, offset: number) => {
  const end = text.indexOf('\n', offset);
  return text.slice(offset, end === -1 ? undefined : end);
};

/** The sentence holding [start, end): bounded by . ! or ?, a blank line, or a line that starts a block (heading, list item). */
function sentenceAround(text: string, start: number, end: number): string {
  let from = start;
  while (from > 0) {
    const previous = text[from - 1]!;
    if (/[.!?]/.test(previous) && /\s/.test(text[from]!)) break;
    if (previous === '\n') {
      const above = text.slice(text.lastIndexOf('\n', from - 2) + 1, from - 1);
      // A heading is one line: the text below it starts a sentence.
      if (startsBlock(lineFrom(text, from)) || above.trim() === '' || /^\s*#/.test(above)) break;
    }
    from--;
  }
  let to = end;
  while (to < text.length) {
    const here = text[to]!;
    if (/[.!?]/.test(here) && (to + 1 === text.length || /\s/.test(text[to + 1]!))) {
      to++;
      break;
    }
    if (here === '\n') {
      const next = lineFrom(text, to + 1);
      if (next.trim() === '' || startsBlock(next)) break;
    }
    to++;
  }
  return text
    .slice(from, to)
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}
