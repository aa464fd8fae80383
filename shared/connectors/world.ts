// The world of a mocked run: a JSON object that stands for the company's systems (a shop's orders,
// refunds and tickets). main/connectors/world.ts runs it; this is the shape, checked where a world
// is stored or read back.
import { z } from 'zod';
import { jsonObjectSchema } from '../json';
import { describeZodError } from '../zod-error';

export const worldSchema = jsonObjectSchema;

export type WorldData = Record<string, unknown>;

/** Checks that `value` is a JSON object (no copy is made). */
export function checkWorld(value: unknown, where = 'The world'): WorldData {
  const parsed = z.object({ world: worldSchema }).safeParse({ world: value });
  if (!parsed.success) throw new TypeError(`${where} is not a JSON object: ${describeZodError(parsed.error)}`);
  return parsed.data.world as WorldData;
}
