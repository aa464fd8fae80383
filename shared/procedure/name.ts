// What a Procedure's name may hold. Names are shown in lists, traces, logs and file names, and are
// matched in `[[…]]` references, so characters that are invisible or change how text is displayed
// (NUL and other control characters, line separators, bidirectional overrides) are refused.

/** C0 and C1 controls and DEL; the Unicode line and paragraph separators; bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Why `name` cannot name a Procedure, or null when it can. */
export function procedureNameProblem(name: string): string | null {
  const found = FORBIDDEN.exec(name);
  if (!found) return null;
  const code = `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return `The Procedure name "${visible(name)}" contains a control character (${code} at character ${found.index + 1}); use letters, digits, spaces and punctuation only.`;
}

/** The name with each forbidden character written as \u{…}, so the message shows where it is. */
function visible(name: string): string {
  return name.replace(new RegExp(FORBIDDEN.source, 'gu'), (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
}
