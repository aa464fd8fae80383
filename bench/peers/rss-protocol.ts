// The messages between the peer bench and a memory probe (rss-probe.ts).
import type { FakeResponse } from '../../tests/support/fake-anthropic';
import type { Taken } from './fake-process';

export type RelayRequestBody = { op: 'queue'; model: string; responses: FakeResponse[] } | { op: 'take'; model: string };
export type RelayRequest = RelayRequestBody & { id: number };

export interface RelayReply {
  id: number;
  taken?: Taken;
}

export interface ProbeReport {
  report: true;
  /** Bytes resident: the probe and the processes it started. */
  rss: number;
  /** Bytes resident: the probe alone. */
  own: number;
  /** Model calls its conversations made (each checked against the script). */
  calls: number;
}
