// Asks the layout worker for positions. Only the latest request matters: an answer to an older
// one is dropped.
import type { ProcedureGraph } from '../../../shared/procedure';
import { placements, toElk, type Layout } from './layout';
import LayoutWorker from './layout.worker?worker';
import type { Expansion } from './structure';

export class LayoutClient {
  private worker: Worker | null = null;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (value: Layout | null) => void; reject: (error: Error) => void }>();

  layout(graph: ProcedureGraph, expanded: ReadonlyMap<string, Expansion>, collects: ReadonlyMap<string, string[]> = new Map()): Promise<Layout | null> {
    const worker = this.start();
    const id = this.next++;
    // Older requests are superseded: answer them with null.
    for (const [older, waiter] of this.pending) {
      waiter.resolve(null);
      this.pending.delete(older);
    }
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, graph: toElk(graph, expanded, collects) });
    });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const waiter of this.pending.values()) waiter.resolve(null);
    this.pending.clear();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new LayoutWorker();
    worker.onmessage = (event: MessageEvent<{ id: number; result?: import('elkjs/lib/elk-api').ElkNode; error?: string }>) => {
      const waiter = this.pending.get(event.data.id);
      if (!waiter) return;
      this.pending.delete(event.data.id);
      if (event.data.error || !event.data.result) waiter.reject(new Error(`The graph layout failed: ${event.data.error ?? 'no result'}`));
      else waiter.resolve(placements(event.data.result));
    };
    this.worker = worker;
    return worker;
  }
}
