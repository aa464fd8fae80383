// Limits on what one document may hold. They keep parsing fast and the parser's own stack small on
// any input: a document over a limit still parses, with an error at the place where it goes over.

/** Characters on one line. Longer lines are read, but reported: nobody writes prose that long. */
export const MAX_LINE_LENGTH = 10_000;

/**
 * Levels of nesting (a branch's items, an item's sub-items) inside a step. Anything deeper is read
 * as plain text and reported.
 */
export const MAX_NESTING_DEPTH = 32;
