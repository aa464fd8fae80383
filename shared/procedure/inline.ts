// References inside prose: {attribute}, @connector.action, [[Procedure]], [[#Step]], and the
// directives @handoff, @end, @switch and @tag.
import type { Diagnostic, InlineRef } from './ast';
import type { Source } from './source';

const WORD = /[A-Za-z_][\w-]*/y;
const ATTRIBUTE = /\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}/y;
// Every test of the text before a reference is a sticky lookbehind tried at the reference alone: it
// reads backwards only as far as the phrase reaches, so a line with many references stays linear
// (testing `text.slice(0, i)` against a pattern ending in `$` rescanned the whole prefix each time).
//
// "collect {a}", "collect their {a}", "collect {a}, {b} and {c}": the phrase just before a list...
const COLLECT_PHRASE_BEFORE = /(?<=\bcollect(?:s|ing)?\s+(?:(?:the|their|a|an|his|her|its)\s+)?)/iy;
// ...and one earlier `{…}` of that list with its separator, which hands the question on to it.
const LIST_ITEM_BEFORE = /(?<=(\{[\w.]+\})\s*(?:,\s*(?:and\s+)?|and\s+|or\s+))/idy;
// The phrase that makes a step link a move: "Go to [[#Step]]", "Go back to …", "Return to …".
const GOTO_PHRASE_BEFORE =
  /(?<=(?:^|[.!?]\s+)(go(?:\s+back)?\s+to|return\s+to|continue\s+(?:with|at|from))\s+(?:the\s+step\s+)?)/idy;
const SENTENCE_END = /[.!?]/;
const SPACE = /\s/;
// "@handoff Claims team": the team runs to the end of the sentence, without trailing spaces.
const HANDOFF_TEAM = /\s+([^:.;!?\s](?:[^:.;!?]*[^:.;!?\s])?)/y;
const SWITCH_OPEN = /\s+\[\[/y;
const TAG_NAME = /\s+([\w-]+)/y;
export const DIRECTIVES = ['handoff', 'end', 'switch', 'tag'] as const;

export interface InlineContext {
  source: Source;
  line: number;
  /** Column (0-based) in the source line where `text` starts. */
  column: number;
  /** True when the text starts a sentence (first line of a block, or the previous line ended one). */
  sentenceStart: boolean;
  diagnostics: Diagnostic[];
}

const SPECIAL = /[\\`{[@]/;

/** Finds the references in one line of prose. */
export function parseInline(text: string, context: InlineContext): InlineRef[] {
  // Most lines of prose reference nothing: skip them cheaply, this runs on every keystroke.
  if (!SPECIAL.test(text)) return [];
  return new InlineScanner(text, context).scan();
}

class InlineScanner {
  private readonly refs: InlineRef[] = [];
  /** Whether an attribute list that "collect" opens runs up to a position (see collectsAt). */
  private readonly collecting = new Map<number, boolean>();
  private readonly finder: ForwardFinder;

  constructor(
    private readonly text: string,
    private readonly context: InlineContext,
  ) {
    this.finder = new ForwardFinder(text);
  }

  scan(): InlineRef[] {
    const { text, refs } = this;
    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '\\') {
        i += 2;
      } else if (ch === '`') {
        i = this.skipCodeSpan(i);
      } else if (ch === '{') {
        ATTRIBUTE.lastIndex = i;
        const match = ATTRIBUTE.exec(text);
        if (match) {
          const collects = this.collectsAt(i);
          refs.push({ kind: 'attribute', name: match[1]!, collects, span: this.span(i, i + match[0].length) });
          i += match[0].length;
        } else i += 1;
      } else if (ch === '[' && text[i + 1] === '[') {
        i = this.link(i);
      } else if (ch === '@' && (i === 0 || !/[\w.]/.test(text[i - 1]!))) {
        i = this.at(i);
      } else i += 1;
    }
    return refs;
  }

  private span(from: number, to: number) {
    const { source, line, column } = this.context;
    return source.range(line, column + from, column + to);
  }

  private error(from: number, to: number, code: string, message: string) {
    this.context.diagnostics.push({ severity: 'error', code, message, span: this.span(from, to) });
  }

  /** A directive is final (control does not go on past it) when it begins a sentence. */
  private beginsSentence(index: number): boolean {
    let last = index - 1;
    while (last >= 0 && SPACE.test(this.text[last]!)) last -= 1;
    return last < 0 ? this.context.sentenceStart : SENTENCE_END.test(this.text[last]!);
  }

  /**
   * Whether the `{…}` at `position` is collected: "collect" (and maybe "the", "their"…) comes just
   * before it, or an earlier `{…}` of the same list ("{a}, {b} and {c}") is collected. Each answer is
   * remembered, so a long list is walked once, iteratively, not once per item.
   */
  private collectsAt(position: number): boolean {
    const walked: number[] = [];
    let at = position;
    let answer: boolean;
    while (true) {
      const known = this.collecting.get(at);
      if (known !== undefined) {
        answer = known;
        break;
      }
      walked.push(at);
      COLLECT_PHRASE_BEFORE.lastIndex = at;
      if (COLLECT_PHRASE_BEFORE.test(this.text)) {
        answer = true;
        break;
      }
      LIST_ITEM_BEFORE.lastIndex = at;
      const item = LIST_ITEM_BEFORE.exec(this.text);
      if (!item) {
        answer = false;
        break;
      }
      at = item.indices![1]![0];
    }
    for (const position of walked) this.collecting.set(position, answer);
    return answer;
  }

  /** Start of the "Go to" phrase just before a step link, or -1. */
  private gotoPhraseBefore(linkStart: number): number {
    GOTO_PHRASE_BEFORE.lastIndex = linkStart;
    const match = GOTO_PHRASE_BEFORE.exec(this.text);
    return match ? match.indices![1]![0] : -1;
  }

  /** `@switch [[Name]]`: the name and where the reference ends, or null. */
  private switchTarget(from: number): { text: string; end: number } | null {
    const { text } = this;
    SWITCH_OPEN.lastIndex = from;
    if (!SWITCH_OPEN.test(text)) return null;
    const nameStart = SWITCH_OPEN.lastIndex;
    const first = text[nameStart];
    if (first === undefined || first === ']' || first === '#') return null;
    const close = this.finder.indexOf(']', nameStart + 1);
    if (close === -1 || text[close + 1] !== ']') return null;
    return { text: text.slice(nameStart, close), end: close + 2 };
  }

  /** Skips a `code span`; an unclosed run of backticks is literal text. */
  private skipCodeSpan(start: number): number {
    const { text } = this;
    let ticks = 0;
    while (text[start + ticks] === '`') ticks += 1;
    const close = this.finder.indexOf('`'.repeat(ticks), start + ticks);
    return close === -1 ? start + ticks : close + ticks;
  }

  private link(i: number): number {
    const { text } = this;
    const close = this.finder.indexOf(']]', i + 2);
    if (close === -1) return i + 2;
    const inner = text.slice(i + 2, close);
    const end = close + 2;
    if (inner.startsWith('#')) {
      const step = inner.slice(1).trim();
      if (!step) this.error(i, end, 'empty-link', 'This step link is empty: write the step title, like [[#Find the order]].');
      else {
        const phrase = this.gotoPhraseBefore(i);
        const final = phrase !== -1 && this.beginsSentence(phrase);
        this.refs.push({ kind: 'goto', step, final, span: this.span(i, end) });
      }
    } else if (!inner.trim()) {
      this.error(i, end, 'empty-link', 'This Procedure link is empty: write the Procedure name, like [[Verify identity]].');
    } else {
      this.refs.push({ kind: 'subprocedure', name: inner.trim(), span: this.span(i, end) });
    }
    return end;
  }

  private at(i: number): number {
    const { text } = this;
    WORD.lastIndex = i + 1;
    const word = WORD.exec(text);
    if (!word) return i + 1;
    const wordEnd = i + 1 + word[0].length;
    if (text[wordEnd] === '.' && /[A-Za-z_]/.test(text[wordEnd + 1] ?? '')) {
      WORD.lastIndex = wordEnd + 1;
      const action = WORD.exec(text)!;
      const end = wordEnd + 1 + action[0].length;
      this.refs.push({ kind: 'action', connector: word[0], action: action[0], span: this.span(i, end) });
      return end;
    }
    return this.directive(i, word[0], wordEnd);
  }

  private directive(at: number, word: string, wordEnd: number): number {
    const { text, refs } = this;
    const final = this.beginsSentence(at);
    switch (word) {
      case 'end':
        refs.push({ kind: 'end', final, span: this.span(at, wordEnd) });
        return wordEnd;
      case 'handoff': {
        // "@handoff Claims team" or "@handoff Claims team: note for the team"; the team ends the sentence.
        HANDOFF_TEAM.lastIndex = wordEnd;
        const teamMatch = HANDOFF_TEAM.exec(text);
        if (!teamMatch) {
          this.error(at, wordEnd, 'handoff-team', 'Say which team to hand off to, like `@handoff Claims team`.');
          return wordEnd;
        }
        let end = teamMatch.index + teamMatch[0].length;
        let note: string | null = null;
        if (text[end] === ':') {
          const noteText = text.slice(end + 1).trim();
          if (noteText) {
            note = noteText;
            end = text.length;
          }
        }
        refs.push({ kind: 'handoff', team: teamMatch[1]!.trim(), note, final, span: this.span(at, end) });
        return end;
      }
      case 'switch': {
        const name = this.switchTarget(wordEnd);
        if (!name || !name.text.trim()) {
          this.error(at, wordEnd, 'switch-target', 'Say which Procedure to switch to, like `@switch [[Cancel subscription]]`.');
          return wordEnd;
        }
        refs.push({ kind: 'switch', name: name.text.trim(), final, span: this.span(at, name.end) });
        return name.end;
      }
      case 'tag': {
        TAG_NAME.lastIndex = wordEnd;
        const match = TAG_NAME.exec(text);
        if (!match) {
          this.error(at, wordEnd, 'tag-name', 'Give the tag a name, like `@tag damaged-item`.');
          return wordEnd;
        }
        const end = match.index + match[0].length;
        refs.push({ kind: 'tag', tag: match[1]!, span: this.span(at, end) });
        return end;
      }
      default:
        this.error(
          at,
          wordEnd,
          'unknown-directive',
          `Unknown \`@${word}\`. Call a connector with @connector.action, or use @handoff, @end, @switch or @tag. Write \\@ for a plain @.`,
        );
        return wordEnd;
    }
  }
}

/**
 * `text.indexOf(needle, from)` for a scan that only moves forward: an answer holds for every later
 * `from` up to the match (or for all of them when there is none), so a line full of unclosed `[[`
 * or backticks is searched once rather than once per opener.
 */
class ForwardFinder {
  private readonly last = new Map<string, { from: number; found: number }>();

  constructor(private readonly text: string) {}

  indexOf(needle: string, from: number): number {
    const known = this.last.get(needle);
    if (known && from >= known.from && (known.found === -1 || from <= known.found)) return known.found;
    const found = this.text.indexOf(needle, from);
    this.last.set(needle, { from, found });
    return found;
  }
}

/** Whether a line ends a sentence, so that the next line starts one. */
export function endsSentence(text: string): boolean {
  return /[.!?:]\s*$/.test(text) || text.trim() === '';
}
