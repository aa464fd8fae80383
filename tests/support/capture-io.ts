import type { CliIo } from '../../main/cli/io';

export interface CapturedIo extends CliIo {
  stdout: () => string;
  stderr: () => string;
}

export function captureIo(cwd: string): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    cwd,
    out: (text) => out.push(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => err.push(text.endsWith('\n') ? text : `${text}\n`),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
