// References inside prose: {attribute}, @connector.action, [[Procedure]], [[#Step]], and the
// directives @handoff, @end, @switch and @tag.
import type { Diagnostic, InlineRef } from './ast';
import type { Source } from './source';

const WORD = /[A-Za-z_][\w-]*/y;
const ATTRIBUTE = /\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}/y;
// "collect {a}", "collect their {a}", "collect {a}, {b} and {c}".
const COLLECT_BEFORE =
  /\bcollect(?:s|ing)?\s+(?:(?:the|their|a|an|his|her|its)\s+)?(?:\{[\w.]+\}\s*(?:,\s*(?:and\s+)?|and\s+|or\s+))*$/i;
// The phrase that makes a step link a move: "Go to [[#Step]]", "Go back to …", "Return to …".
const GOTO_PHRASE = /(?:^|[.!?]\s+)(?:go(?:\s+back)?\s+to|return\s+to|continue\s+(?:with|at|from))\s+(?:the\s+step\s+)?$/i;
const SENTENCE_END = /[.!?]$/;
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

  constructor(
    private readonly text: string,
    private readonly context: InlineContext,
  ) {}

  scan(): InlineRef[] {
    const { text, refs } = this;
    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '\\') {
        i += 2;
      } else if (ch === '`') {
        i = skipCodeSpan(text, i);
      } else if (ch === '{') {
        ATTRIBUTE.lastIndex = i;
        const match = ATTRIBUTE.exec(text);
        if (match) {
          const collects = COLLECT_BEFORE.test(text.slice(0, i));
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
    const before = this.text.slice(0, index).trimEnd();
    return before === '' ? this.context.sentenceStart : SENTENCE_END.test(before);
  }

  private link(i: number): number {
    const { text } = this;
    const close = text.indexOf(']]', i + 2);
    if (close === -1) return i + 2;
    const inner = text.slice(i + 2, close);
    const end = close + 2;
    if (inner.startsWith('#')) {
      const step = inner.slice(1).trim();
      if (!step) this.error(i, end, 'empty-link', 'This step link is empty: write the step title, like [[#Find the order]].');
      else {
        const final = GOTO_PHRASE.test(text.slice(0, i)) && this.beginsSentence(phraseStart(text, i));
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
        const teamMatch = /^\s+([^:.;!?]*[^:.;!?\s])/.exec(text.slice(wordEnd));
        if (!teamMatch) {
          this.error(at, wordEnd, 'handoff-team', 'Say which team to hand off to, like `@handoff Claims team`.');
          return wordEnd;
        }
        let end = wordEnd + teamMatch[0].length;
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
        const match = /^\s+\[\[([^\]#][^\]]*)\]\]/.exec(text.slice(wordEnd));
        if (!match || !match[1]!.trim()) {
          this.error(at, wordEnd, 'switch-target', 'Say which Procedure to switch to, like `@switch [[Cancel subscription]]`.');
          return wordEnd;
        }
        const end = wordEnd + match[0].length;
        refs.push({ kind: 'switch', name: match[1]!.trim(), final, span: this.span(at, end) });
        return end;
      }
      case 'tag': {
        const match = /^\s+([\w-]+)/.exec(text.slice(wordEnd));
        if (!match) {
          this.error(at, wordEnd, 'tag-name', 'Give the tag a name, like `@tag damaged-item`.');
          return wordEnd;
        }
        const end = wordEnd + match[0].length;
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

function skipCodeSpan(text: string, start: number): number {
  let ticks = 0;
  while (text[start + ticks] === '`') ticks += 1;
  const fence = '`'.repeat(ticks);
  const close = text.indexOf(fence, start + ticks);
  return close === -1 ? start + ticks : close + ticks;
}

function phraseStart(text: string, linkStart: number): number {
  const before = text.slice(0, linkStart);
  const match = /(?:go(?:\s+back)?\s+to|return\s+to|continue\s+(?:with|at|from))\s+(?:the\s+step\s+)?$/i.exec(before);
  return match ? match.index : linkStart;
}

/** Whether a line ends a sentence, so that the next line starts one. */
export function endsSentence(text: string): boolean {
  return /[.!?:]\s*$/.test(text) || text.trim() === '';
}
