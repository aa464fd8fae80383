// One entry point for every transport: checks the method against the contract, validates the input,
// runs the handler, validates the output, and answers with a typed result.
import type { z } from 'zod';
import { calls, isMethod, type ApiResult, type CallArgs, type CallOutput, type Method } from '../../shared/api';
import { describeZodError } from '../validation/zod-error';
import { toApiError } from './errors';

export type Handlers = { [M in Method]: (input: CallArgs<M>) => Promise<CallOutput<M>> | CallOutput<M> };

export type Dispatch = (method: unknown, input: unknown) => Promise<ApiResult<unknown>>;

export interface DispatchOptions {
  /** Where unexpected errors (bugs) are logged with their stack. */
  log?: (message: string) => void;
}

export function createDispatch(handlers: Handlers, options: DispatchOptions = {}): Dispatch {
  const log = options.log ?? ((message: string) => console.error(message));
  return async (method, input) => {
    if (!isMethod(method)) {
      return { ok: false, error: { code: 'unknown-method', message: `There is no API call named ${JSON.stringify(String(method)).slice(0, 100)}.` } };
    }
    const spec = calls[method];
    const parsed = (spec.input as z.ZodType).safeParse(input ?? {});
    if (!parsed.success) return { ok: false, error: { code: 'invalid-input', message: `${method}: ${describeZodError(parsed.error)}` } };
    let value: unknown;
    try {
      const handler = handlers[method] as (input: unknown) => unknown;
      value = await handler(parsed.data);
    } catch (error) {
      const { error: apiError, unexpected } = toApiError(error, method);
      if (unexpected) log(`[api] ${method}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return { ok: false, error: apiError };
    }
    const output = (spec.output as z.ZodType).safeParse(value);
    if (!output.success) {
      log(`[api] ${method} returned a value that does not match the contract: ${describeZodError(output.error)}`);
      return { ok: false, error: { code: 'internal', message: `${method} returned an answer that does not match the contract.` } };
    }
    return { ok: true, value: output.data };
  };
}
