// A run's final world against the one it started from: each change as a JSON path with the value
// before and after, so a reviewer sees what the mocked run did to the company's systems. In shared/
// so the app's world-changes table and `stepwise simulations show` say it alike.
import { plural } from '../plural';

export interface WorldChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

export function diffWorlds(before: unknown, after: unknown, path = ''): WorldChange[] {
  if (equal(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => {
      const at = path ? `${path}.${key}` : key;
      if (!(key in after)) return [{ path: at, kind: 'removed' as const, before: before[key] }];
      if (!(key in before)) return [{ path: at, kind: 'added' as const, after: after[key] }];
      return diffWorlds(before[key], after[key], at);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes: WorldChange[] = [];
    for (let index = 0; index < Math.max(before.length, after.length); index += 1) {
      const at = `${path}[${index}]`;
      if (index >= after.length) changes.push({ path: at, kind: 'removed', before: before[index] });
      else if (index >= before.length) changes.push({ path: at, kind: 'added', after: after[index] });
      else changes.push(...diffWorlds(before[index], after[index], at));
    }
    return changes;
  }
  return [{ path: path || '(the world)', kind: 'changed', before, after }];
}

/** How much a run changed its world, after "Started from …;". */
export function changesSentence(count: number): string {
  return count === 0 ? 'the run left it as it found it.' : `${plural(count, 'change')}.`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
