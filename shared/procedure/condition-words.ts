// conditionWords(expression): a Python test in plain words, for people who do not read code.
// `attributes["days_since_delivery"] <= 30` → "days since delivery ≤ 30". Handles comparisons,
// and/or/not, in / not in, is None, len(), literals and attributes[…] / data[…][…] paths; anything
// else (calls, arithmetic, bare names, …) returns null, and the UI shows the code itself. Pure, and
// never throws: the graph calls it on every keystroke, on half-typed text.

const MAX_LENGTH = 400;
const MAX_DEPTH = 24;

type Token =
  | { type: 'name'; value: string }
  | { type: 'number'; value: string }
  | { type: 'string'; value: string }
  | { type: 'op'; value: string };

type Expr =
  | { kind: 'literal'; text: string; value: 'string' | 'number' | 'true' | 'false' | 'none' }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'path'; text: string }
  | { kind: 'len'; of: Expr }
  | { kind: 'not'; of: Expr }
  | { kind: 'bool'; op: 'and' | 'or'; parts: Expr[] }
  | { kind: 'compare'; left: Expr; op: string; right: Expr };

class Unreadable extends Error {}

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', ',', '.', '-'];
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is']);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      tokens.push({ type: 'name', value: match[0] });
      i += match[0].length;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const match = /^[0-9][0-9_]*(?:\.[0-9]+)?/.exec(source.slice(i))!;
      tokens.push({ type: 'number', value: match[0].replace(/_/g, '') });
      i += match[0].length;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const end = source.indexOf(ch, i + 1);
      const value = end < 0 ? null : source.slice(i + 1, end);
      // Escapes, prefixes and unterminated strings are left to the code view.
      if (value === null || value.includes('\\') || value.includes('\n')) throw new Unreadable();
      tokens.push({ type: 'string', value });
      i = end + 1;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (!op) throw new Unreadable();
    tokens.push({ type: 'op', value: op });
    i += op.length;
  }
  return tokens;
}

class Parser {
  private at = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Expr {
    const expr = this.or();
    if (this.at !== this.tokens.length) throw new Unreadable();
    return expr;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }

  private isWord(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.type === 'name' && token.value === word;
  }

  private isOp(op: string): boolean {
    const token = this.peek();
    return token?.type === 'op' && token.value === op;
  }

  private expectOp(op: string): void {
    if (!this.isOp(op)) throw new Unreadable();
    this.at++;
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new Unreadable();
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private or(): Expr {
    return this.nested(() => {
      const parts = [this.and()];
      while (this.isWord('or')) {
        this.at++;
        parts.push(this.and());
      }
      return parts.length === 1 ? parts[0]! : { kind: 'bool', op: 'or', parts };
    });
  }

  private and(): Expr {
    const parts = [this.not()];
    while (this.isWord('and')) {
      this.at++;
      parts.push(this.not());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'bool', op: 'and', parts };
  }

  private not(): Expr {
    if (this.isWord('not')) {
      this.at++;
      return this.nested(() => ({ kind: 'not', of: this.not() }));
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.operand();
    const op = this.compareOp();
    if (!op) return left;
    const right = this.operand();
    // Chains (a < b < c) are rare in Procedures: the code says them best.
    if (this.compareOp()) throw new Unreadable();
    return { kind: 'compare', left, op, right };
  }

  private compareOp(): string | null {
    const token = this.peek();
    if (!token) return null;
    if (token.type === 'op' && ['==', '!=', '<=', '>=', '<', '>'].includes(token.value)) {
      this.at++;
      return token.value;
    }
    if (this.isWord('in')) {
      this.at++;
      return 'in';
    }
    if (this.isWord('not') && this.isWord('in', 1)) {
      this.at += 2;
      return 'not in';
    }
    if (this.isWord('is')) {
      this.at++;
      if (this.isWord('not')) {
        this.at++;
        return 'is not';
      }
      return 'is';
    }
    return null;
  }

  private operand(): Expr {
    return this.nested(() => {
      const token = this.peek();
      if (!token) throw new Unreadable();
      if (token.type === 'number') {
        this.at++;
        return { kind: 'literal', text: token.value, value: 'number' };
      }
      if (token.type === 'string') {
        this.at++;
        return { kind: 'literal', text: token.value, value: 'string' };
      }
      if (token.type === 'op' && token.value === '-' && this.peek(1)?.type === 'number') {
        this.at += 2;
        return { kind: 'literal', text: `-${this.tokens[this.at - 1]!.value}`, value: 'number' };
      }
      if (token.type === 'op' && token.value === '(') {
        this.at++;
        const inner = this.or();
        this.expectOp(')');
        return inner;
      }
      if (token.type === 'op' && token.value === '[') return this.list(']');
      if (token.type !== 'name' || KEYWORDS.has(token.value)) throw new Unreadable();
      this.at++;
      switch (token.value) {
        case 'True':
          return { kind: 'literal', text: 'true', value: 'true' };
        case 'False':
          return { kind: 'literal', text: 'false', value: 'false' };
        case 'None':
          return { kind: 'literal', text: 'none', value: 'none' };
        case 'len': {
          this.expectOp('(');
          const of = this.operand();
          this.expectOp(')');
          return { kind: 'len', of };
        }
        case 'attributes':
        case 'data':
          return this.path(token.value);
        default:
          throw new Unreadable();
      }
    });
  }

  private list(close: string): Expr {
    this.at++;
    const items: Expr[] = [];
    while (!this.isOp(close)) {
      const item = this.operand();
      if (item.kind !== 'literal') throw new Unreadable();
      items.push(item);
      if (this.isOp(',')) this.at++;
      else if (!this.isOp(close)) throw new Unreadable();
    }
    this.at++;
    return { kind: 'list', items };
  }

  /** attributes["x"], attributes.get("x"), data["action"]["field"]…: string keys only. */
  private path(root: 'attributes' | 'data'): Expr {
    const keys: string[] = [];
    for (;;) {
      if (this.isOp('[')) {
        this.at++;
        const key = this.peek();
        if (key?.type !== 'string') throw new Unreadable();
        this.at++;
        this.expectOp(']');
        keys.push(key.value);
      } else if (this.isOp('.') && this.isWord('get', 1) && this.peek(2)?.type === 'op' && this.peek(2)!.value === '(') {
        this.at += 3;
        const key = this.peek();
        if (key?.type !== 'string') throw new Unreadable();
        this.at++;
        this.expectOp(')');
        keys.push(key.value);
      } else break;
    }
    if (keys.length === 0 || keys.some((key) => key.trim() === '')) throw new Unreadable();
    if (root === 'attributes') return { kind: 'path', text: keys.map(words).join(' ') };
    // data["shop.get_order"]["status"]: the action keeps its name, as it is written everywhere else.
    const [action, ...fields] = keys;
    return { kind: 'path', text: fields.length === 0 ? `result of ${action}` : `${fields.map(words).join(' ')} from ${action}` };
  }
}

const SYMBOLS: Record<string, string> = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' };

/** An identifier as words: `days_since_delivery` → "days since delivery". */
function words(key: string): string {
  return key.replace(/_+/g, ' ').trim();
}

function say(expr: Expr, parent: 'and' | 'or' | 'not' | null = null): string {
  switch (expr.kind) {
    case 'literal':
      return expr.value === 'string' ? `“${expr.text}”` : expr.value === 'none' ? 'not set' : expr.text;
    case 'list':
      return expr.items.map((item) => say(item)).join(', ');
    case 'path':
      return expr.text;
    case 'len':
      return `number of ${say(expr.of)}`;
    case 'not': {
      const inner = say(expr.of);
      return expr.of.kind === 'bool' ? `not (${inner})` : `not ${inner}`;
    }
    case 'bool': {
      const text = expr.parts.map((part) => say(part, expr.op)).join(` ${expr.op} `);
      return parent && parent !== expr.op ? `(${text})` : text;
    }
    case 'compare':
      return compare(expr.left, expr.op, expr.right);
  }
}

function compare(left: Expr, op: string, right: Expr): string {
  const l = say(left);
  const r = say(right);
  switch (op) {
    case '==':
      return right.kind === 'literal' && right.value === 'none' ? `${l} is not set` : `${l} is ${r}`;
    case '!=':
      return right.kind === 'literal' && right.value === 'none' ? `${l} is set` : `${l} is not ${r}`;
    case 'is':
      return right.kind === 'literal' && right.value === 'none' ? `${l} is not set` : `${l} is ${r}`;
    case 'is not':
      return right.kind === 'literal' && right.value === 'none' ? `${l} is set` : `${l} is not ${r}`;
    case 'in':
      return right.kind === 'list' ? `${l} is one of ${r}` : `${r} contains ${l}`;
    case 'not in':
      return right.kind === 'list' ? `${l} is not one of ${r}` : `${r} does not contain ${l}`;
    default:
      return `${l} ${SYMBOLS[op]} ${r}`;
  }
}

/** The test in plain words, or null when it is not one this can say (the UI then shows the code). */
export function conditionWords(expression: string): string | null {
  try {
    if (typeof expression !== 'string' || expression.length > MAX_LENGTH) return null;
    const text = expression.trim().replace(/^`+|`+$/g, '').trim();
    if (!text) return null;
    const expr = new Parser(tokenize(text)).parse();
    if (expr.kind === 'literal' || expr.kind === 'list') return null; // `True` is not a condition anyone means
    const result = say(expr);
    return result.length > 0 ? result : null;
  } catch {
    // Unreadable input, or anything unforeseen: the code view is always a correct answer.
    return null;
  }
}
