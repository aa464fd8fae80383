// Python sandbox for Conditions and code steps. See docs/security.md for the threat model.
//
//   const sandbox = createPythonSandbox({ poolSize: 2 });
//   const result = await sandbox.evaluate({ mode: 'condition', code: 'attributes["days"] <= 30', ... });
//   await sandbox.close();
import { parseSandboxOptions, type SandboxOptions } from './options';
import { PythonSandbox } from './sandbox';

export type {
  AttributeDecl,
  AttributeType,
  CodeSandbox,
  EvaluationError,
  EvaluationErrorKind,
  EvaluationRequest,
  EvaluationResult,
  PoolStats,
  PythonIssue,
  SnippetOrigin,
} from './types';
export type { SandboxOptions } from './options';
export { PythonSandbox, SandboxUnavailableError } from './sandbox';
export { InvalidSandboxRequestError } from './request';

/**
 * Starts a pool of warm Python interpreters (in the background: the first calls wait for it).
 * Call close() when done, or the interpreter processes keep running.
 */
export function createPythonSandbox(options?: SandboxOptions): PythonSandbox {
  return new PythonSandbox(parseSandboxOptions(options));
}
