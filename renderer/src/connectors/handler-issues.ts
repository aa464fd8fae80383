// The sandbox's findings in a mock handler, said under the editor with their lines ("Line 4: 'os'
// can't be imported …"), so the problem is read without hovering its squiggle.
export interface HandlerIssue {
  line: number;
  message: string;
}

/** One sentence a finding, in line order; the same finding on the same line is said once. */
export function handlerIssueLines(issues: readonly HandlerIssue[]): string[] {
  const lines = [...issues].sort((a, b) => a.line - b.line).map((issue) => `Line ${issue.line}: ${issue.message}`);
  return [...new Set(lines)];
}
