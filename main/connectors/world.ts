// The world of a mocked run: a JSON object that stands for the company's systems (a shop's orders,
// refunds and tickets). Each run starts from a copy of a starting world; Python mock handlers read
// and change it; the final world is kept so a simulation can assert on it ("exactly one refund of
// 24.00 was created"). Its shape lives in shared/connectors/world.ts, where the store checks it too.
import { checkWorld, type WorldData } from '../../shared/connectors/world';

export { worldSchema, type WorldData } from '../../shared/connectors/world';

export class World {
  private current: WorldData;

  constructor(start: unknown = {}) {
    this.current = parseWorld(start);
  }

  /** A copy of the world as it is now. */
  snapshot(): WorldData {
    return structuredClone(this.current);
  }

  replace(next: WorldData): void {
    this.current = parseWorld(next);
  }
}

/** A world checked to be a JSON object, as a private copy. */
export function parseWorld(value: unknown, where = 'The world'): WorldData {
  return structuredClone(checkWorld(value, where));
}
