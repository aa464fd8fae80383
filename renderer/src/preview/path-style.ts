// The conversation's path on the graph, as CSS over the graph's nodes (they carry their graph id in
// `data-node-id`): the steps it went through marked, the one it is at highlighted. A style rule, so
// the graph's own rendering is untouched and re-renders keep it. Pure.
export function pathStyle(scope: string, path: { visited: readonly string[]; active: string | null }): string {
  const node = (id: string) => `${scope} [data-node-id="${cssString(id)}"]`;
  const rules: string[] = [];
  if (path.visited.length > 0) rules.push(`${path.visited.map(node).join(',\n')} { box-shadow: 0 0 0 2px var(--sw-accent-soft), 0 0 0 3px var(--sw-accent); }`);
  if (path.active) rules.push(`${node(path.active)} { box-shadow: 0 0 0 3px var(--sw-warning), 0 0 12px 2px var(--sw-warning-soft) !important; }`);
  return rules.join('\n');
}

/** A string safe inside a double-quoted CSS attribute selector. */
function cssString(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\n\r\f]/g, ' ');
}
