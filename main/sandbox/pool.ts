// A pool of warm interpreters, so that a cold start (seconds) never sits in a conversation's path.
// Jobs queue until an interpreter is idle; conversation jobs go before editor jobs. An interpreter that
// is killed, crashes or grows too big is replaced in the background; only the job it was running fails.
// The pool is elastic, because each interpreter costs about 250 MB: it keeps `minSize` warm, grows one
// at a time (up to `size`) only while jobs wait, and lets interpreters beyond `minSize` go after they
// have sat idle for `idleReleaseMs`. whenReady() asks for the full `size` (explicit warm-up).
import { InterpreterProcess, type JobOutcome } from './interpreter-process';
import type { LaunchSpec } from './launch';
import type { JobOp, JobSnippet } from './protocol';
import type { PoolStats } from './types';

export type Priority = 'conversation' | 'editor';

export interface PoolOptions {
  /** Most interpreters at once. */
  size: number;
  /** Interpreters kept warm even with no work (at least 1, at most size). */
  minSize: number;
  /** An interpreter beyond minSize that has been idle this long is released. */
  idleReleaseMs: number;
  /** Start interpreters after the first from a memory snapshot of it. */
  useSnapshot: boolean;
  startupTimeoutMs: number;
  recycleAfterJobs: number;
  recycleAboveBytes: number;
  /** Jobs allowed to wait; past this the pool answers "overloaded" at once. */
  maxQueued?: number;
}

interface QueuedJob {
  op: JobOp;
  payload: string;
  snippet?: JobSnippet;
  timeoutMs: number;
  resolve: (outcome: JobOutcome) => void;
}

export interface PinnedOutcome {
  pid: number | undefined;
  outcome: JobOutcome;
}

const MAX_BOOT_FAILURES = 3;

export class InterpreterPool {
  private readonly interpreters = new Set<InterpreterProcess>();
  private readonly queues: Record<Priority, QueuedJob[]> = { conversation: [], editor: [] };
  /** Jobs that must run on one particular interpreter (see runOnEach). */
  private readonly pinned = new Map<InterpreterProcess, QueuedJob[]>();
  private closed = false;
  private replaced = 0;
  private released = 0;
  /** How many interpreters the pool keeps (starting or warm): minSize, more while work waits. */
  private target: number;
  /** When each idle interpreter became idle (for releasing the ones beyond minSize). */
  private readonly idleSince = new Map<InterpreterProcess, number>();
  private releaseTimer: NodeJS.Timeout | null = null;
  private completed = 0;
  private bootFailures = 0;
  private lastBootError = '';
  private retryTimer: NodeJS.Timeout | null = null;
  private snapshot: Uint8Array | null = null;
  /** none: not tried yet; making: the first interpreter is taking one; ready; failed: full starts only. */
  private snapshotState: 'none' | 'making' | 'ready' | 'failed';
  private readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(
    private readonly spec: LaunchSpec,
    private readonly options: PoolOptions,
  ) {
    this.snapshotState = options.useSnapshot ? 'none' : 'failed';
    this.target = Math.max(1, Math.min(options.minSize, options.size));
    this.fill();
  }

  /** Grows the pool to its full size; resolves once every slot holds a warm interpreter, rejects if interpreters can't start. */
  whenReady(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the Python sandbox is closed'));
    this.target = this.options.size;
    // Asked for now: the idle period of the warm ones starts again.
    const now = Date.now();
    for (const interpreter of this.idleSince.keys()) this.idleSince.set(interpreter, now);
    this.fill();
    if (this.readyCount() >= this.options.size) return Promise.resolve();
    if (this.bootFailures >= MAX_BOOT_FAILURES) return Promise.reject(new Error(this.lastBootError));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  submit(op: JobOp, payload: string, timeoutMs: number, priority: Priority, snippet?: JobSnippet): Promise<JobOutcome> {
    if (this.closed) {
      return Promise.resolve({ type: 'unavailable', reason: 'the Python sandbox is closed' });
    }
    const queued = this.queues.conversation.length + this.queues.editor.length;
    if (queued >= (this.options.maxQueued ?? 10_000)) {
      return Promise.resolve({ type: 'unavailable', reason: `the Python sandbox is overloaded (${queued} jobs waiting)` });
    }
    if (this.bootFailures >= MAX_BOOT_FAILURES) {
      // Interpreters failed to start before; give them another chance now that work is waiting.
      this.bootFailures = 0;
      this.fill();
    }
    return new Promise((resolve) => {
      this.queues[priority].push({ op, payload, snippet, timeoutMs, resolve });
      this.pump();
    });
  }

  /**
   * Runs the same job once on every warm interpreter (after waiting for a full pool), e.g. to check
   * that all of them give the same answer.
   */
  async runOnEach(op: JobOp, payload: string, timeoutMs: number, snippet?: JobSnippet): Promise<PinnedOutcome[]> {
    await this.whenReady();
    const targets = [...this.interpreters].filter((i) => i.isIdle || i.isBusy || i.isRestoring);
    const runs = targets.map(
      (interpreter) =>
        new Promise<PinnedOutcome>((resolve) => {
          const job: QueuedJob = { op, payload, snippet, timeoutMs, resolve: (outcome) => resolve({ pid: interpreter.pid, outcome }) };
          const queue = this.pinned.get(interpreter) ?? [];
          queue.push(job);
          this.pinned.set(interpreter, queue);
          interpreter.onExit(() => {
            for (const orphan of this.pinned.get(interpreter)?.splice(0) ?? []) {
              orphan.resolve({ type: 'unavailable', reason: 'the interpreter went away before it ran the job' });
            }
            this.pinned.delete(interpreter);
          });
        }),
    );
    this.pump();
    return Promise.all(runs);
  }

  stats(): PoolStats {
    let busy = 0;
    let restoring = 0;
    let starting = 0;
    for (const interpreter of this.interpreters) {
      if (interpreter.isBusy) busy += 1;
      if (interpreter.isRestoring) restoring += 1;
      if (interpreter.isStarting) starting += 1;
    }
    return {
      ready: this.readyCount(),
      busy,
      restoring,
      starting,
      queued: this.queues.conversation.length + this.queues.editor.length,
      replaced: this.replaced,
      released: this.released,
      completed: this.completed,
    };
  }

  /** PIDs of live interpreter processes (for tests and diagnostics). */
  pids(): number[] {
    return [...this.interpreters].map((i) => i.pid).filter((pid): pid is number => pid !== undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.failQueued('the Python sandbox is closed');
    const exits = [...this.interpreters].map((interpreter) => interpreter.exited);
    for (const interpreter of this.interpreters) interpreter.retire('the Python sandbox is closed');
    await Promise.all(exits);
    this.interpreters.clear();
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new Error('the Python sandbox is closed'));
  }

  private readyCount(): number {
    let ready = 0;
    for (const interpreter of this.interpreters) if (interpreter.isIdle || interpreter.isBusy || interpreter.isRestoring) ready += 1;
    return ready;
  }

  /**
   * Starts missing interpreters one at a time: on two cores, two starting together take three times as
   * long as one, and the first warm interpreter matters most.
   */
  private fill(): void {
    if (this.closed || this.bootFailures >= MAX_BOOT_FAILURES) return;
    if (this.interpreters.size >= this.target) return;
    for (const interpreter of this.interpreters) if (interpreter.isStarting) return;
    this.spawn();
  }

  private spawn(): void {
    const makeSnapshot = this.snapshotState === 'none';
    if (makeSnapshot) this.snapshotState = 'making';
    const snapshot = this.snapshotState === 'ready' ? this.snapshot : null;
    const interpreter = new InterpreterProcess(this.spec, this.options.startupTimeoutMs, {
      snapshot,
      makeSnapshot,
      onSnapshot: (bytes) => {
        this.snapshot = bytes;
        this.snapshotState = 'ready';
      },
    });
    this.interpreters.add(interpreter);
    interpreter.onIdleAgain(() => this.pump());
    interpreter.onExit(() => {
      this.idleSince.delete(interpreter);
      // A failed start is handled by onBootFailure (with back-off), not here.
      if (!interpreter.wasReady || !this.interpreters.delete(interpreter) || this.closed) return;
      this.replaced += 1;
      this.fill();
    });
    interpreter.ready.then(
      () => {
        this.bootFailures = 0;
        if (makeSnapshot && this.snapshotState === 'making') this.snapshotState = 'failed';
        this.pump();
        this.fill();
        if (this.readyCount() >= this.options.size) {
          for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
        }
      },
      (error: Error) => this.onBootFailure(interpreter, error, { makeSnapshot, fromSnapshot: snapshot !== null }),
    );
  }

  private onBootFailure(
    interpreter: InterpreterProcess,
    error: Error,
    plan: { makeSnapshot: boolean; fromSnapshot: boolean },
  ): void {
    this.interpreters.delete(interpreter);
    if (this.closed) return;
    if (plan.makeSnapshot && this.snapshotState === 'making') this.snapshotState = 'failed';
    if (plan.fromSnapshot) {
      // The snapshot may be what failed: fall back to full starts for the life of the pool.
      this.snapshot = null;
      this.snapshotState = 'failed';
    }
    this.bootFailures += 1;
    this.lastBootError = error.message;
    if (this.bootFailures >= MAX_BOOT_FAILURES) {
      this.failQueued(`the Python sandbox could not start: ${error.message}`);
      for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new Error(error.message));
      return;
    }
    // Back off a little, then try again.
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.fill();
    }, 250 * this.bootFailures);
    this.retryTimer.unref();
  }

  private failQueued(reason: string): void {
    for (const queue of [this.queues.conversation, this.queues.editor]) {
      for (const job of queue.splice(0)) job.resolve({ type: 'unavailable', reason });
    }
  }

  private nextJob(interpreter: InterpreterProcess): QueuedJob | undefined {
    return this.pinned.get(interpreter)?.shift() ?? this.queues.conversation.shift() ?? this.queues.editor.shift();
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    for (const interpreter of this.interpreters) {
      if (!interpreter.isIdle) continue;
      const job = this.nextJob(interpreter);
      if (job) {
        this.idleSince.delete(interpreter);
        void this.dispatch(interpreter, job);
      } else if (!this.idleSince.has(interpreter)) {
        this.idleSince.set(interpreter, now);
      }
    }
    this.growIfWorkWaits();
    this.scheduleRelease();
  }

  /**
   * More jobs wait than interpreters about to be free and every slot is filled: add one interpreter (one
   * at a time, see fill). A job waiting only for a restore (about 1 ms) is no reason to start one.
   */
  private growIfWorkWaits(): void {
    const waiting = this.queues.conversation.length + this.queues.editor.length;
    let restoring = 0;
    for (const interpreter of this.interpreters) if (interpreter.isRestoring) restoring += 1;
    if (waiting <= restoring || this.target >= this.options.size || this.interpreters.size < this.target) return;
    this.target += 1;
    this.fill();
  }

  private scheduleRelease(): void {
    if (this.releaseTimer || this.interpreters.size <= this.options.minSize || this.idleSince.size === 0) return;
    const oldest = Math.min(...this.idleSince.values());
    const wait = Math.max(0, oldest + this.options.idleReleaseMs - Date.now());
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = null;
      this.releaseIdle();
    }, wait);
    this.releaseTimer.unref();
  }

  /** Lets interpreters beyond minSize go once they have been idle for idleReleaseMs (longest idle first). */
  private releaseIdle(): void {
    if (this.closed) return;
    if (this.readyWaiters.length > 0) {
      // Someone waits for the full pool (whenReady): releasing now would leave them waiting for ever.
      this.releaseTimer = setTimeout(() => {
        this.releaseTimer = null;
        this.releaseIdle();
      }, this.options.idleReleaseMs);
      this.releaseTimer.unref();
      return;
    }
    const now = Date.now();
    const idle = [...this.idleSince].filter(([i]) => i.isIdle && !this.pinned.get(i)?.length).sort((a, b) => a[1] - b[1]);
    for (const [interpreter, since] of idle) {
      if (this.interpreters.size <= this.options.minSize) break;
      if (now - since < this.options.idleReleaseMs) break;
      // Out of the set first, so that its exit is not taken for a crash to replace.
      this.interpreters.delete(interpreter);
      this.idleSince.delete(interpreter);
      this.target = Math.max(this.options.minSize, this.target - 1);
      this.released += 1;
      interpreter.retire('released: idle');
    }
    this.scheduleRelease();
  }

  private async dispatch(interpreter: InterpreterProcess, job: QueuedJob): Promise<void> {
    const outcome = await interpreter.run(job.op, job.payload, job.timeoutMs, job.snippet);
    this.completed += 1;
    if (outcome.type === 'reply') {
      const tooBig = outcome.memoryLimitHit || outcome.heapBytes > this.options.recycleAboveBytes;
      if (tooBig || interpreter.jobs >= this.options.recycleAfterJobs) {
        // Wasm memory never shrinks, and a MemoryError may leave Python half-broken: start afresh.
        interpreter.retire(tooBig ? 'recycled: memory' : 'recycled: job count');
      }
    }
    job.resolve(outcome);
    this.pump();
  }
}
