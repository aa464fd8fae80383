// Time spent waiting on the model, measured the same way for every agent: all three reach the
// fake server through the global fetch (the Anthropic SDK, inside Stepwise and inside
// @langchain/anthropic, and @ai-sdk/anthropic), so a wrapper around it times each call from the
// request to the last byte of the response. Install it before any client is made: the Anthropic
// SDK keeps the fetch it finds when it is constructed.
export interface ModelClock {
  /** Milliseconds spent in model calls since installed. */
  elapsed(): number;
  /** Model calls seen since installed. */
  calls(): number;
  uninstall(): void;
}

export function installModelClock(): ModelClock {
  const original = globalThis.fetch;
  let elapsed = 0;
  let calls = 0;
  globalThis.fetch = async (input, init) => {
    const started = performance.now();
    calls += 1;
    try {
      const response = await original(input, init);
      // Read the whole body inside the timing, then hand the client an identical response.
      const body = await response.arrayBuffer();
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      elapsed += performance.now() - started;
    }
  };
  return {
    elapsed: () => elapsed,
    calls: () => calls,
    uninstall: () => {
      globalThis.fetch = original;
    },
  };
}
