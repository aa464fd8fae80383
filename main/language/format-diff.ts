// What `fmt --check` would change in a file, as a person reviews it: the file's encoding changes in
// words (a byte-order mark, CR line breaks: a diff line cannot show them), then a unified diff of
// the text, as `git diff` prints it.
import { createTwoFilesPatch } from 'diff';

export function formattingDiff(file: string, stored: string, normalised: string, formatted: string): string {
  const notes: string[] = [];
  if (stored.startsWith('\uFEFF')) notes.push(`${file}: the byte-order mark would be dropped`);
  if (stored.includes('\r')) notes.push(`${file}: ${stored.includes('\r\n') ? 'CRLF' : 'CR'} line breaks would become LF`);
  const patch =
    normalised === formatted
      ? ''
      : createTwoFilesPatch(`a/${file}`, `b/${file}`, normalised, formatted, undefined, undefined, {
          context: 3,
          headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true },
        });
  return [...notes, patch.trimEnd()].filter((part) => part.length > 0).join('\n');
}
