// What the production bench reads of the machine's processes, from /proc: CPU time, resident
// memory, PostgreSQL's share and the whole machine's.
import { readdirSync, readFileSync } from 'node:fs';

/** The process's CPU time so far (user + system), in ms. */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the command's ")".
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** CPU of PostgreSQL on `port`: its postmaster (with the children it has reaped) and its live children. */
export function postgresCpuMs(port: number): number {
  const stats = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return { pid: Number(pid), cmdline, fields };
      } catch {
        return null; // gone meanwhile
      }
    })
    .filter((entry) => entry !== null);
  // The postmaster runs the postgres program itself (its backends rename themselves "postgres: …");
  // the supervising shell that started it has the same arguments after its own, so it is not it.
  const postmaster = stats.find((entry) => entry.cmdline[0]?.endsWith('/postgres') && entry.cmdline.includes('-p') && entry.cmdline[entry.cmdline.indexOf('-p') + 1] === String(port));
  if (!postmaster) return 0;
  const ticks = (fields: string[], from: number, count: number) => fields.slice(from, from + count).reduce((sum, value) => sum + Number(value), 0);
  // After ") ": ppid is field 1; utime, stime, cutime, cstime are 11 to 14.
  const children = stats.filter((entry) => Number(entry.fields[1]) === postmaster.pid);
  return ((ticks(postmaster.fields, 11, 4) + children.reduce((sum, child) => sum + ticks(child.fields, 11, 2), 0)) * 1000) / 100;
}

/** All CPU time spent on the machine so far (every core, every process), from /proc/stat. */
export function machineCpuMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const busy = fields.slice(0, 8).reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
  return (busy * 1000) / 100;
}

export function rssOf(pid: number): { pid: number; rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { pid, rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
