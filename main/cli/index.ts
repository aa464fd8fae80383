#!/usr/bin/env node
// The `stepwise` command line.
import { processIo } from './io';
import { runCli } from './run';

runCli(process.argv.slice(2), processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`stepwise: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
