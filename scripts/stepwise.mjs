#!/usr/bin/env node
// The `stepwise` command (package.json "bin", so `npx stepwise …` in the repository and `stepwise …`
// after `npm link`): the TypeScript command line run through tsx, exactly as `npm run stepwise --`
// runs it. A plain JavaScript file, so Node itself can start it from the shebang.
import { register } from 'tsx/esm/api';

register();
await import('../main/cli/index.ts');
