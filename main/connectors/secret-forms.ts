// The forms a secret value may travel in or be echoed back in, for the Redactor to look for: as it is,
// encoded for a URL, a form or JSON, and, for a secret long enough not to be mistaken for ordinary
// text, reversed, in hex and in base64 (at any position inside a longer base64 text).

/** Shorter secrets are looked for only as they are sent: their transformed forms would match ordinary text. */
export const MIN_TRANSFORMED_LENGTH = 8;

/** Forms found by exact (case-insensitive) search. */
export function exactForms(value: string): string[] {
  const forms = [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1), new URLSearchParams({ x: value }).toString().slice(2)];
  if (value.length >= MIN_TRANSFORMED_LENGTH) {
    const bytes = Buffer.from(value, 'utf8');
    forms.push([...value].reverse().join(''), bytes.toString('hex'));
    const whole = bytes.toString('base64');
    for (const encoded of [whole, ...base64Cores(bytes)]) forms.push(encoded, encoded.replace(/=+$/, ''), urlSafe(encoded));
  }
  return [...new Set(forms)].filter((form) => form.length > 0);
}

/** Separator characters allowed after each character of a spaced-out form ("s k - t e s t"). */
const MAX_SEPARATOR = 4;

/**
 * Letter-and-digit sequences (lower case) found even with spaces or other separators between their
 * characters: the secret's own letters and digits, reversed, and its hex. `maxGap` is how many other
 * characters may stand between two of them: a few separators, more where the secret itself has
 * punctuation there (spaced out too).
 */
export function looseForms(value: string): { text: string; maxGap: number }[] {
  const letters = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (letters.length < MIN_TRANSFORMED_LENGTH) return [];
  const longestPunctuation = Math.max(0, ...(value.match(/[^A-Za-z0-9]+/g) ?? []).map((run) => run.length));
  const maxGap = MAX_SEPARATOR + longestPunctuation * (MAX_SEPARATOR + 1);
  return [
    { text: letters, maxGap },
    { text: [...letters].reverse().join(''), maxGap },
    { text: Buffer.from(value, 'utf8').toString('hex'), maxGap: MAX_SEPARATOR },
  ];
}

/**
 * The part of the secret's base64 that is the same wherever the secret starts inside longer encoded
 * data (three byte alignments). A group of four characters that mixes in bytes before or after the
 * secret is left out, so the core is found inside `base64("token=" + secret + "&x")` too.
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const core = encoded.slice(shift === 0 ? 0 : 4, Math.floor((shift + bytes.length) / 3) * 4);
    if (core.length >= MIN_TRANSFORMED_LENGTH) cores.push(core);
  }
  return cores;
}

function urlSafe(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
