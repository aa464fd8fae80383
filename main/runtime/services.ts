// What a turn needs from the outside world.
import type { ModelCaller } from '../model/client';
import type { CodeSandbox } from '../sandbox/types';
import type { Connectors, KnowledgeSearch, ProcedureCatalog } from './types';

export interface RuntimeServices {
  model: ModelCaller;
  catalog: ProcedureCatalog;
  connectors: Connectors;
  sandbox: CodeSandbox;
  knowledge: KnowledgeSearch;
  /** Previews run drafts; production runs live versions. */
  draft: boolean;
  /** Stream model responses; replies reach `onReplyText` as they are written. */
  stream?: boolean;
  /**
   * Route a message that clearly matches one live Procedure's trigger without the routing call
   * (trigger-match.ts); the call is still made when the match is not clear. Default true.
   */
  routeByTriggerMatch?: boolean;
}

/**
 * A reply as the model writes it: the text so far, growing. `withdrawn` (with empty text): the
 * response it came from broke off, so drop what was shown; a retry may write it again.
 */
export type ReplyStreamListener = (textSoFar: string, withdrawn?: boolean) => void;
