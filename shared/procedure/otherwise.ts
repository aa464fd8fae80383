// Which "Otherwise" ran after a Python test was found false: a condition tries its tests in order,
// so the false test was the last one only when no test follows it, and then its Otherwise (if it
// has one) is the branch taken. The trace names the false test, never the Otherwise: the preview's
// path and step coverage both infer it here. Pure.
import type { GraphNode } from './graph';

/** The id of the Otherwise that runs when `branchId`, a test found false, is its condition's last test; null otherwise. */
export function otherwiseAfterFalseTest(nodes: readonly GraphNode[], branchId: string): string | null {
  const slash = branchId.lastIndexOf('/b');
  if (slash < 0) return null;
  const prefix = `${branchId.slice(0, slash)}/b`;
  // The condition's own branches only (`…/b1`, `…/b2`), not anything nested under one.
  const branches = nodes.filter((node) => node.kind === 'branch' && node.id.startsWith(prefix) && /^\d+$/.test(node.id.slice(prefix.length)));
  const tests = branches.filter((node) => node.test !== 'otherwise');
  const otherwise = branches.find((node) => node.test === 'otherwise');
  return otherwise && tests.at(-1)?.id === branchId ? otherwise.id : null;
}
