// Keeps secret values out of what is recorded: requests, responses, errors and log lines.
// A Redactor knows the values resolved for one call and the forms they travel in (as they are,
// URL-encoded, JSON-escaped, and inside a basic-auth header), and replaces each with
// `[redacted:<secret name>]`.

export class Redactor {
  private readonly needles: { text: string; label: string }[] = [];

  /** Registers a secret value (and its encodings) under its name. */
  add(name: string, value: string): this {
    const label = `[redacted:${name}]`;
    for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1), new URLSearchParams({ x: value }).toString().slice(2)])) {
      if (form.length > 0) this.needles.push({ text: form, label });
    }
    // Longest first, so a value that contains another is replaced whole.
    this.needles.sort((a, b) => b.text.length - a.text.length);
    return this;
  }

  /** Registers a derived form (a basic-auth token) that stands for secrets. */
  addDerived(text: string, label: string): this {
    if (text.length > 0) this.needles.push({ text, label: `[redacted:${label}]` });
    this.needles.sort((a, b) => b.text.length - a.text.length);
    return this;
  }

  get empty(): boolean {
    return this.needles.length === 0;
  }

  text(value: string): string {
    let out = value;
    for (const needle of this.needles) if (out.includes(needle.text)) out = out.split(needle.text).join(needle.label);
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
    this.needles.push(...other.needles);
    this.needles.sort((a, b) => b.text.length - a.text.length);
    return this;
  }
}
