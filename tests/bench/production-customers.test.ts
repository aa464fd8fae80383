// The production bench reads each turn's Server-Timing header: the server's whole time, the model's
// share and how many calls that was. A header it cannot read must not pass as a turn.
import { describe, expect, it } from 'vitest';
import { parseServerTiming } from '../../bench/production/customers';

describe("the production bench's Server-Timing reader", () => {
  it('reads the total, the model time and the call count', () => {
    expect(parseServerTiming('total;dur=412.3, model;dur=401.0;desc="2 calls"')).toEqual({ serverMs: 412.3, modelMs: 401, calls: 2 });
    expect(parseServerTiming('total;dur=203.9, model;dur=200.5;desc="1 call"')).toEqual({ serverMs: 203.9, modelMs: 200.5, calls: 1 });
  });

  it('refuses a header without the call count or with a part missing, and no header', () => {
    expect(parseServerTiming('total;dur=412.3, model;dur=401.0')).toBeNull();
    expect(parseServerTiming('model;dur=401.0;desc="2 calls"')).toBeNull();
    expect(parseServerTiming(null)).toBeNull();
  });
});
