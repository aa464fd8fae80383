// The messages between the peer bench and its fake model server process.
import type { FakeResponse } from '../../tests/support/fake-anthropic';

export type FakeCommand =
  | { id: number; op: 'queue'; model: string; responses: FakeResponse[] }
  | { id: number; op: 'take'; model: string }
  | { id: number; op: 'close' };

/** One request the fake served: for which model, its body's size as received, its message count, its shared prefix. */
export interface ServedRequest {
  model: string;
  bytes: number;
  messages: number;
  /**
   * The share of this request (tools, system, messages, as the API caches them) that the same
   * model's previous request began with: what prompt caching could reuse. Meaningless for the
   * first request of a conversation.
   */
  prefixShared: number;
}

export interface FakeReply {
  id: number;
  url?: string;
  served?: ServedRequest[];
  /** Requests of the model taken that came when nothing was queued for it (each answered 500). */
  unexpected?: string[];
  /** Answers still queued for the model taken. */
  left?: number;
}
