// Readings of this process and the processes it started (Stepwise's Python interpreters run in
// child processes: their CPU and memory are Stepwise's too). Linux /proc; elsewhere, this process
// alone. Child CPU is counted in clock ticks (10 ms), so it is meaningful summed over many turns.
import { readFileSync, readdirSync } from 'node:fs';

const TICK_MS = 10;

/**
 * Pids of the processes below this one, except those in `exclude` and their own children, and
 * tsx's esbuild service (the bench's TypeScript loader, started in some processes and not others).
 */
export function descendants(exclude: number[] = []): number[] {
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const child of children(pid)) {
      if (exclude.includes(child) || commandOf(child) === 'esbuild') continue;
      found.push(child);
      visit(child);
    }
  };
  visit(process.pid);
  return found;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .split(' ')
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** CPU milliseconds (user + system) the given processes have used so far; 0 for one that is gone. */
export function cpuOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Exited since listed.
    }
  }
  return ticks * TICK_MS;
}

/** Resident memory, in bytes, of this process plus the given ones. */
export function rssOf(pids: number[]): number {
  let bytes = process.memoryUsage().rss;
  for (const pid of pids) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) bytes += Number(match[1]) * 1024;
    } catch {
      // Exited since listed.
    }
  }
  return bytes;
}
