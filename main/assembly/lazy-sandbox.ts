// The one place a Python sandbox is started lazily: nothing starts until a check or an evaluation
// needs one, so a command, a suite or an app session that never meets Python never pays for it.
// The app, the command line, the simulations and the chat all go through this.
import { createPythonSandbox } from '../sandbox';
import type { CodeSandbox, EvaluationRequest } from '../sandbox/types';

export type SandboxStarter = () => CodeSandbox | Promise<CodeSandbox>;

const NO_PYTHON = 'Python is not available in this session.';

export class LazySandbox implements CodeSandbox {
  private started: Promise<CodeSandbox> | null = null;

  /** `start` null: this session has no Python; every use fails with `unavailable` as its message. */
  constructor(
    private readonly start: SandboxStarter | null,
    private readonly unavailable = NO_PYTHON,
  ) {}

  /** Whether this session can run Python at all. */
  get available(): boolean {
    return this.start !== null;
  }

  /** Whether the sandbox has been started (by a first use). */
  get running(): boolean {
    return this.started !== null;
  }

  check(code: string, mode: 'condition' | 'code') {
    return this.get().then((sandbox) => sandbox.check(code, mode));
  }

  evaluate(request: EvaluationRequest) {
    return this.get().then((sandbox) => sandbox.evaluate(request));
  }

  tryIt(request: EvaluationRequest) {
    return this.get().then((sandbox) => sandbox.tryIt(request));
  }

  /** Closes the sandbox if it was started; one that failed to start has nothing to close. */
  async close(): Promise<void> {
    const started = this.started;
    if (!started) return;
    await (await started.catch(() => null))?.close();
  }

  /** The same sandbox for a borrower whose `close` must leave it running: its owner closes it. */
  shared(): CodeSandbox {
    return {
      check: (code, mode) => this.check(code, mode),
      evaluate: (request) => this.evaluate(request),
      tryIt: (request) => this.tryIt(request),
      close: async () => undefined,
    };
  }

  private get(): Promise<CodeSandbox> {
    if (!this.start) return Promise.reject(new Error(this.unavailable));
    // A start that fails is remembered: every later use reports the same failure.
    this.started ??= (async () => this.start!())();
    return this.started;
  }
}

/** The Python sandbox of plain Node (the command line, simulations, benches), started on first use. */
export function lazyPythonSandbox(poolSize = 1): LazySandbox {
  return new LazySandbox(() => createPythonSandbox({ poolSize }));
}
