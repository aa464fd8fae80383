// Builds the renderer once before the tests (skipped when its sources have not changed).
import { buildRenderer } from '../../scripts/build-renderer';

export default async function setup() {
  await buildRenderer();
}
