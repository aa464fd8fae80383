// npm run serve: builds the renderer if its sources changed, then starts browser mode.
import { serve, reportLaunchError } from '../main/app/serve';
import { buildRenderer } from './build-renderer';

try {
  await buildRenderer({ log: (line) => console.error(line) });
  await serve({ argv: process.argv.slice(2) });
} catch (error) {
  reportLaunchError(error);
}
