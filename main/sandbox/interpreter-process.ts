// One interpreter: a child process running child/sandbox-child.mjs. Starts it, runs one job at a time
// with a hard time limit, and kills it when it overruns, misbehaves or is no longer wanted.
import { spawn, type ChildProcess } from 'node:child_process';
import type { LaunchSpec } from './launch';
import { childMessageSchema, type BootMessage, type JobMessage, type JobOp, type JobSnippet } from './protocol';

export type JobOutcome =
  | { type: 'reply'; body: string; heapBytes: number; memoryLimitHit: boolean }
  | { type: 'timeout' }
  /** The interpreter died while running the job. */
  | { type: 'died'; reason: string; memoryLimitHit: boolean }
  /** The job never ran: the pool is closed, overloaded or can't start interpreters. */
  | { type: 'unavailable'; reason: string };

/** restoring: the job is answered, and the process is putting the interpreter back to its clean state. */
type State = 'starting' | 'idle' | 'busy' | 'restoring' | 'dead';

interface PendingJob {
  id: number;
  resolve: (outcome: JobOutcome) => void;
  timer: NodeJS.Timeout;
}

const STDERR_TAIL_CHARS = 2_000;
/** A restore copies the interpreter's memory (tens of MB): milliseconds. Far longer means it is stuck. */
const RESTORE_TIMEOUT_MS = 10_000;

export interface BootPlan {
  snapshot: Uint8Array | null;
  makeSnapshot: boolean;
  /** Receives the snapshot when makeSnapshot was asked for. */
  onSnapshot?: (bytes: Uint8Array) => void;
}

export class InterpreterProcess {
  readonly ready: Promise<void>;
  /** Resolves when the operating-system process has exited. */
  readonly exited: Promise<void>;
  /** Jobs completed by this interpreter. */
  jobs = 0;
  heapBytes = 0;
  bootMs = 0;
  fromSnapshot = false;
  /** Whether it ever became ready (a failed start is not a replacement). */
  wasReady = false;
  private state: State = 'starting';
  private readonly child: ChildProcess;
  private pending: PendingJob | null = null;
  private nextId = 1;
  private stderrTail = '';
  private exitListeners: Array<() => void> = [];
  private idleListeners: Array<() => void> = [];
  private restoreTimer: NodeJS.Timeout | null = null;
  private settleReady!: (error?: Error) => void;

  constructor(
    spec: LaunchSpec,
    startupTimeoutMs: number,
    private readonly plan: BootPlan = { snapshot: null, makeSnapshot: false },
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => (error ? reject(error) : resolve());
    });
    this.ready.catch(() => {}); // observed by the pool; never an unhandled rejection
    let markExited!: () => void;
    this.exited = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced', // carries the snapshot bytes
      windowsHide: true,
    });
    const bootTimer = setTimeout(() => {
      this.fail(new Error(`the Python interpreter did not start within ${startupTimeoutMs} ms`));
    }, startupTimeoutMs);
    bootTimer.unref();
    this.ready.then(
      () => clearTimeout(bootTimer),
      () => clearTimeout(bootTimer),
    );

    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    this.child.on('message', (raw) => this.onMessage(raw));
    const boot: BootMessage = { type: 'boot', snapshot: plan.snapshot, makeSnapshot: plan.makeSnapshot };
    try {
      this.child.send(boot, (error) => {
        if (error) this.fail(new Error(`could not start the Python interpreter: ${error.message}`));
      });
    } catch (error) {
      queueMicrotask(() => this.fail(new Error(`could not start the Python interpreter: ${(error as Error).message}`)));
    }
    this.child.on('error', (error) => {
      this.fail(new Error(`could not start the Python interpreter (${spec.command}): ${error.message}`));
      if (this.child.pid === undefined) markExited(); // never started, so no 'exit' will follow
    });
    this.child.on('exit', (code, signal) => {
      markExited();
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      this.markDead(`the Python interpreter ${how}${this.stderrSummary()}`);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isIdle(): boolean {
    return this.state === 'idle';
  }

  get isStarting(): boolean {
    return this.state === 'starting';
  }

  get isBusy(): boolean {
    return this.state === 'busy';
  }

  /** Putting the interpreter back to its clean state after an evaluation (warm, but not taking work). */
  get isRestoring(): boolean {
    return this.state === 'restoring';
  }

  get isDead(): boolean {
    return this.state === 'dead';
  }

  onExit(listener: () => void): void {
    if (this.state === 'dead') listener();
    else this.exitListeners.push(listener);
  }

  /** Called whenever the interpreter becomes idle after a restore (not after a plain reply). */
  onIdleAgain(listener: () => void): void {
    this.idleListeners.push(listener);
  }

  /** Runs one job. The interpreter must be idle. Never rejects: failures come back as outcomes. */
  run(op: JobOp, payload: string, timeoutMs: number, snippet?: JobSnippet): Promise<JobOutcome> {
    if (this.state !== 'idle') {
      return Promise.resolve({ type: 'died', reason: `the Python interpreter is ${this.state}`, memoryLimitHit: false });
    }
    const id = this.nextId++;
    this.state = 'busy';
    return new Promise<JobOutcome>((resolve) => {
      const timer = setTimeout(() => {
        // The only reliable stop: Python code can catch any exception, but not SIGKILL.
        this.finish({ type: 'timeout' });
        this.markDead(`timed out after ${timeoutMs} ms`);
      }, timeoutMs);
      this.pending = { id, resolve, timer };
      const message: JobMessage = snippet ? { type: 'job', id, op, payload, snippet } : { type: 'job', id, op, payload };
      try {
        this.child.send(message, (error) => {
          if (error) this.markDead(`could not send the job to the Python interpreter: ${error.message}`);
        });
      } catch (error) {
        this.markDead(`could not send the job to the Python interpreter: ${(error as Error).message}`);
      }
    });
  }

  /** Takes the interpreter out of service and kills it; exit listeners run at once. */
  retire(reason: string): void {
    this.markDead(reason);
  }

  /** Kills the process at once (SIGKILL). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
    }
  }

  private onMessage(raw: unknown): void {
    const parsed = childMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.markDead('the Python interpreter sent a malformed message');
      this.kill();
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'snapshot':
        if (this.state === 'starting' && this.plan.makeSnapshot) this.plan.onSnapshot?.(message.bytes);
        break;
      case 'ready':
        if (this.state !== 'starting') break;
        this.state = 'idle';
        this.wasReady = true;
        this.heapBytes = message.heapBytes;
        this.bootMs = message.bootMs;
        this.fromSnapshot = message.fromSnapshot;
        this.settleReady();
        break;
      case 'boot-error':
        this.fail(new Error(`the Python interpreter could not start: ${message.message}`));
        break;
      case 'reply':
        if (!this.pending || this.pending.id !== message.id) {
          this.markDead('the Python interpreter answered a job it was not given');
          this.kill();
          break;
        }
        this.heapBytes = message.heapBytes;
        this.jobs += 1;
        if (message.restoring) {
          this.state = 'restoring';
          this.restoreTimer = setTimeout(() => this.markDead('the interpreter did not finish its restore'), RESTORE_TIMEOUT_MS);
          this.restoreTimer.unref();
        } else {
          this.state = 'idle';
        }
        this.finish({ type: 'reply', body: message.body, heapBytes: message.heapBytes, memoryLimitHit: message.memoryLimitHit });
        break;
      case 'restored':
        if (this.state !== 'restoring') {
          if (this.state !== 'dead') {
            this.markDead('the Python interpreter reported a restore it was not doing');
            this.kill();
          }
          break;
        }
        this.clearRestoreTimer();
        this.state = 'idle';
        for (const listener of this.idleListeners) listener();
        break;
      case 'fatal':
        this.finish({
          type: 'died',
          reason: `the Python interpreter stopped: ${message.message}`,
          memoryLimitHit: message.memoryLimitHit ?? false,
        });
        this.markDead('fatal error');
        this.kill();
        break;
    }
  }

  private finish(outcome: JobOutcome): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  private fail(error: Error): void {
    if (this.state === 'starting') this.settleReady(new Error(`${error.message}${this.stderrSummary()}`));
    this.markDead(error.message);
    this.kill();
  }

  private clearRestoreTimer(): void {
    if (this.restoreTimer) clearTimeout(this.restoreTimer);
    this.restoreTimer = null;
  }

  private markDead(reason: string): void {
    if (this.state === 'dead') return;
    this.clearRestoreTimer();
    this.idleListeners = [];
    if (this.state === 'starting') this.settleReady(new Error(reason));
    this.state = 'dead';
    this.finish({ type: 'died', reason, memoryLimitHit: false });
    this.kill();
    const listeners = this.exitListeners;
    this.exitListeners = [];
    for (const listener of listeners) listener();
  }

  private stderrSummary(): string {
    const lines = this.stderrTail.trim().split('\n').filter(Boolean);
    if (lines.length === 0) return '';
    const first = lines.find((line) => /error/i.test(line)) ?? lines[lines.length - 1] ?? '';
    return ` (${first.trim().slice(0, 300)})`;
  }
}
