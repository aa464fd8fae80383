// Keeps secret values out of what is recorded: requests, responses, errors and log lines.
// A Redactor knows the values resolved for one call and the forms they travel in (as they are,
// URL-encoded, JSON-escaped, inside a basic-auth header) or may be echoed back in (any letter case,
// reversed, hex, base64, characters spaced or separated), and replaces each with
// `[redacted:<secret name>]`. What it cannot catch is listed in docs/security.md.
import { exactForms, looseForms } from './secret-forms';

interface Needle {
  text: string;
  label: string;
}

export class Redactor {
  private readonly needles: (Needle & { pattern: RegExp; lower: string; ascii: boolean })[] = [];
  /** Letters and digits found in any case with up to maxGap other characters between each two of them. */
  private readonly loose: (Needle & { pattern: RegExp })[] = [];
  /** A secret is registered again on every call that resolves it; each form is kept once. */
  private readonly known = new Set<string>();

  /** Registers a secret value (and its encodings and transformed forms) under its name. */
  add(name: string, value: string): this {
    const label = `[redacted:${name}]`;
    for (const form of exactForms(value)) this.addNeedle(form, label);
    for (const { text, maxGap } of looseForms(value)) {
      // Letters and digits only, so the gaps cannot match them: no backtracking blow-up.
      if (this.first('loose', text, label)) this.loose.push({ text, label, pattern: new RegExp([...text].join(`[^A-Za-z0-9]{0,${maxGap}}`), 'gi') });
    }
    this.sort();
    return this;
  }

  /** Registers a derived form (a basic-auth token) that stands for secrets. */
  addDerived(text: string, label: string): this {
    if (text.length > 0) this.addNeedle(text, `[redacted:${label}]`);
    this.sort();
    return this;
  }

  private first(kind: string, text: string, label: string): boolean {
    const key = `${kind}\u0000${label}\u0000${text}`;
    if (this.known.has(key)) return false;
    this.known.add(key);
    return true;
  }

  private addNeedle(text: string, label: string) {
    if (!this.first('exact', text, label)) return;
    const pattern = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
    this.needles.push({ text, label, pattern, lower: text.toLowerCase(), ascii: [...text].every((char) => char.charCodeAt(0) < 128) });
  }

  // Longest first, so a value that contains another is replaced whole.
  private sort() {
    this.needles.sort((a, b) => b.text.length - a.text.length);
    this.loose.sort((a, b) => b.text.length - a.text.length);
  }

  get empty(): boolean {
    return this.needles.length === 0;
  }

  text(value: string): string {
    let out = value;
    // Lower-cased once: a cheap test before each case-insensitive search (an ASCII form folds the same way in both).
    const lower = value.toLowerCase();
    for (const needle of this.needles) {
      if (value.length < needle.text.length || (needle.ascii && !lower.includes(needle.lower))) continue;
      // A function as replacement, so a "$" in a secret's name is not read as a pattern.
      out = out.replace(needle.pattern, () => needle.label);
    }
    for (const needle of this.loose) if (out.length >= needle.text.length) out = out.replace(needle.pattern, () => needle.label);
    return out;
  }

  /** A deep copy of a JSON-like value with every string (and key) redacted. */
  value<T>(value: T): T {
    if (this.empty) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[this.text(key)] = this.walk(item);
      return out;
    }
    return value;
  }

  /** Merges another redactor's values into this one. */
  absorb(other: Redactor): this {
    for (const needle of other.needles) if (this.first('exact', needle.text, needle.label)) this.needles.push(needle);
    for (const needle of other.loose) if (this.first('loose', needle.text, needle.label)) this.loose.push(needle);
    this.sort();
    return this;
  }
}
