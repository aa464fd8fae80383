// A sandbox that starts its Python interpreters only when something first needs one, so a suite
// of simulations without Python code, mocks handlers or world assertions never pays for them.
import type { CodeSandbox, EvaluationRequest } from '../sandbox/types';

export function lazySandbox(start: () => CodeSandbox): CodeSandbox {
  let sandbox: CodeSandbox | null = null;
  const get = () => (sandbox ??= start());
  return {
    check: (code, mode) => get().check(code, mode),
    evaluate: (request: EvaluationRequest) => get().evaluate(request),
    tryIt: (request: EvaluationRequest) => get().tryIt(request),
    close: async () => {
      await sandbox?.close();
    },
  };
}
