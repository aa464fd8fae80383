// Which node the arrow keys go to: the next or previous one in document order (the order of the
// nodes in the page), stopping at the ends. Pure.
const FORWARD = new Set(['ArrowDown', 'ArrowRight']);
const BACKWARD = new Set(['ArrowUp', 'ArrowLeft']);

export function nextNodeId(order: readonly string[], current: string, key: string): string | null {
  const index = order.indexOf(current);
  if (index < 0) return null;
  if (FORWARD.has(key)) return order[index + 1] ?? null;
  if (BACKWARD.has(key)) return order[index - 1] ?? null;
  if (key === 'Home') return order[0] ?? null;
  if (key === 'End') return order[order.length - 1] ?? null;
  return null;
}
