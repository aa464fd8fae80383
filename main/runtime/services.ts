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
}

export type ReplyStreamListener = (textSoFar: string) => void;
