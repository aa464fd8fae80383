// The last guard before a try's result leaves the engine: any stored secret value still in it (a
// server echoing the token back, say) is masked, wherever it sits in the JSON.
const MASK = '••••••';

/** `value` with every occurrence of each secret replaced by a mask; short values (under 4 characters) are left, as they would mask ordinary text. */
export function maskSecretValues<T>(value: T, secrets: readonly string[]): T {
  const masked = secrets.filter((secret) => secret.length >= 4);
  if (masked.length === 0) return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return masked.reduce((text, secret) => text.split(secret).join(MASK), node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, child]) => [walk(key) as string, walk(child)]));
    return node;
  };
  return walk(value) as T;
}
