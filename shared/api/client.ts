// The UI's side of the API: a typed client over any transport (Electron's preload or browser-mode
// HTTP). It validates what it sends and what it receives, and turns error results into ApiCallError.
import type { z } from 'zod';
import { calls, events, type CallInput, type CallOutput, type EventName, type EventPayload, type Method } from './contract';
import { ApiCallError, ApiResultEnvelopeSchema } from './result';

export interface ApiTransport {
  /** Sends one call; resolves with the raw result envelope `{ ok, value | error }`. */
  invoke(method: Method, input: unknown): Promise<unknown>;
  /** Listens for a pushed event; returns the function that stops listening. */
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

export type ApiClient = {
  [M in Method]: (input: CallInput<M>) => Promise<CallOutput<M>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

export function createApiClient(transport: ApiTransport): ApiClient {
  const client: Record<string, unknown> = {};
  for (const method of Object.keys(calls) as Method[]) {
    const spec = calls[method];
    client[method] = async (input: unknown) => {
      const parsedInput = (spec.input as z.ZodType).safeParse(input);
      if (!parsedInput.success) throw new ApiCallError('invalid-input', `${method}: ${parsedInput.error.issues[0]?.message ?? 'invalid input'}`, method);
      const raw = await transport.invoke(method, parsedInput.data);
      const envelope = ApiResultEnvelopeSchema.safeParse(raw);
      if (!envelope.success) throw new ApiCallError('internal', `${method}: the engine sent an answer that is not a result.`, method);
      if (!envelope.data.ok) throw new ApiCallError(envelope.data.error.code, envelope.data.error.message, method);
      const output = (spec.output as z.ZodType).safeParse(envelope.data.value);
      if (!output.success) throw new ApiCallError('internal', `${method}: the engine's answer does not match the contract (${output.error.issues[0]?.message}).`, method);
      return output.data;
    };
  }
  client.on = (event: EventName, listener: (payload: unknown) => void) =>
    transport.subscribe(event, (payload) => {
      const parsed = events[event].safeParse(payload);
      if (parsed.success) listener(parsed.data);
    });
  return client as ApiClient;
}
