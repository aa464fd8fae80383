// Connectors whose every call also carries its full record (request, status, response, all
// redacted by the connector) into the conversation's trace.
import type { ActionResult, Connectors } from './types';

export interface RecordingSource {
  describe: Connectors['describe'];
  call(name: string, input: unknown, context: { conversationId?: number; signal?: AbortSignal }): Promise<{ result: ActionResult; call: unknown }>;
}

export function recordingConnectors(source: RecordingSource): Connectors {
  return {
    describe: (action) => source.describe(action),
    async execute(action, input, context) {
      const { result, call } = await source.call(action, input, context);
      return { ...result, record: call };
    },
  };
}
