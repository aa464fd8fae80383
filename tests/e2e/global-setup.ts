// Builds the renderer once before the tests, each build skipped when its sources have not changed:
// the production build (the Electron shell test, and the check that it holds no test hook) and the
// test build the end-to-end tests drive (with the read-only inspection they read the editor by).
import { buildRenderer } from '../../scripts/build-renderer';

export default async function setup() {
  await buildRenderer({ build: 'production' });
  await buildRenderer({ build: 'e2e' });
}
