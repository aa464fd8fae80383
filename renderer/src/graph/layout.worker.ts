// Runs ELK off the main thread: one message in (a request id and an ELK graph), one out.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { layoutGraph } from './layout';

const elk = new ELK();
const scope = self as unknown as { onmessage: ((event: MessageEvent) => void) | null; postMessage(message: unknown): void };

scope.onmessage = (event: MessageEvent<{ id: number; graph: ElkNode }>) => {
  const { id, graph } = event.data;
  const started = performance.now();
  layoutGraph(elk, graph).then(
    (result) => scope.postMessage({ id, result, ms: performance.now() - started }),
    (error: unknown) => scope.postMessage({ id, error: String(error) }),
  );
};
