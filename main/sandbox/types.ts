// Public types of the Python sandbox. The conversation runtime, the validator and the editor use these.

/** A problem found in a snippet. line/column are relative to the snippet, 1-based, in characters. */
export interface PythonIssue {
  line: number;
  column: number;
  message: string;
}

/** Where the snippet's first line sits in the Procedure document (1-based). */
export interface SnippetOrigin {
  line: number;
  column: number;
}

export type AttributeType = 'string' | 'number' | 'boolean' | 'date' | 'enum' | 'list' | 'object';

/** A declared attribute. `values` lists an enum's values; a date is an ISO 'YYYY-MM-DD' string. */
export interface AttributeDecl {
  name: string;
  type: AttributeType;
  values?: string[];
}

export interface EvaluationRequest {
  /** condition = a Python expression that must give True or False; code = a block. */
  mode: 'condition' | 'code';
  code: string;
  /** The conversation's attributes (JSON). */
  attributes: Record<string, unknown>;
  /** Connector results (JSON) keyed by "connector.action", e.g. data["shop.get_order"]. */
  data: Record<string, unknown>;
  /** Declared attributes, to validate attribute writes. */
  declared: AttributeDecl[];
  /** ISO timestamp frozen per conversation; today() is its date. Without an offset it means UTC. */
  clock: { now: string };
  /** Maps error lines to the Procedure document. */
  origin?: SnippetOrigin;
  /** Time limit for this evaluation in milliseconds; default 1000. */
  timeoutMs?: number;
}

export type EvaluationErrorKind = 'policy' | 'syntax' | 'runtime' | 'timeout' | 'memory' | 'type' | 'crash';

export interface EvaluationError {
  kind: EvaluationErrorKind;
  message: string;
  /** Line and column in the Procedure document when an origin was given, else in the snippet. */
  line?: number;
  column?: number;
}

export type EvaluationResult =
  | { ok: true; value?: boolean; attributeWrites: Record<string, unknown>; printed: string; durationMs: number }
  | { ok: false; error: EvaluationError; printed: string; durationMs: number };

export interface CodeSandbox {
  /** Syntax + policy issues, for the validator and the editor. Never runs the code. */
  check(code: string, mode: 'condition' | 'code'): Promise<PythonIssue[]>;
  /** Runs a condition or code block for a conversation. */
  evaluate(req: EvaluationRequest): Promise<EvaluationResult>;
  /** Same as evaluate, for the editor's "try it"; queued behind conversation evaluations. */
  tryIt(req: EvaluationRequest): Promise<EvaluationResult>;
  close(): Promise<void>;
}

export interface PoolStats {
  /** Interpreters warm and able to take work (idle or busy). */
  ready: number;
  /** Running a job. */
  busy: number;
  /** Being put back to their clean state after an evaluation (see docs/security.md, layer 4). */
  restoring: number;
  starting: number;
  queued: number;
  /** Interpreters replaced since the pool started (killed, crashed or recycled). */
  replaced: number;
  /** Interpreters let go after sitting idle beyond the pool's minimum (not replaced). */
  released: number;
  /** Evaluations and checks completed. */
  completed: number;
}
