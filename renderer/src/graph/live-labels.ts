// What changes on almost every keystroke (a node's label, its id in the Procedure graph, whether the
// cursor or an error is in it) reaches each node component directly, keyed by its flow id. React
// Flow's nodes stay the same objects, so a keystroke costs it nothing; only the nodes whose text
// changed re-render.
import { useCallback, useSyncExternalStore } from 'react';

export interface LiveNode {
  label: string;
  graphId: string;
  cursor: boolean;
  error: boolean;
}

export class LiveLabels {
  private readonly values = new Map<string, LiveNode>();
  private readonly listeners = new Map<string, Set<() => void>>();

  /** Replaces every node's live values, telling only the nodes whose values changed. */
  update(next: ReadonlyMap<string, LiveNode>): void {
    const changed: string[] = [];
    for (const [id, value] of next) {
      const old = this.values.get(id);
      if (old && old.label === value.label && old.graphId === value.graphId && old.cursor === value.cursor && old.error === value.error) continue;
      this.values.set(id, value);
      changed.push(id);
    }
    for (const id of [...this.values.keys()]) if (!next.has(id)) this.values.delete(id);
    for (const id of changed) for (const listener of this.listeners.get(id) ?? []) listener();
  }

  get(id: string): LiveNode | undefined {
    return this.values.get(id);
  }

  subscribe(id: string, listener: () => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }
}

export function useLiveNode(labels: LiveLabels, id: string): LiveNode | undefined {
  const subscribe = useCallback((listener: () => void) => labels.subscribe(id, listener), [labels, id]);
  const get = useCallback(() => labels.get(id), [labels, id]);
  return useSyncExternalStore(subscribe, get);
}
