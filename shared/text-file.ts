// Text as read from a file, the same for every kind of file Stepwise reads (Procedures, knowledge
// articles): without a leading byte-order mark, and with every line break (CRLF, lone CR) as LF.
export function normaliseTextFile(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}
