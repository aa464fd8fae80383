// The parsed form of a Procedure document. Every node carries its source span so the editor can
// place diagnostics and the graph can reveal a node in the text.

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units like the editor does. */
  column: number;
  /** 0-based offset into the text. */
  offset: number;
}

export interface Span {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  message: string;
  /** Stable machine-readable code, e.g. `unknown-attribute`. */
  code: string;
  span: Span;
}

export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'date', 'enum', 'list', 'object'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export interface AttributeDecl {
  name: string;
  type: AttributeType;
  description?: string;
  /** Allowed values, for `enum`. */
  values?: string[];
  /** Element type, for `list`. */
  items?: AttributeType;
  required: boolean;
  span: Span;
}

/**
 * Why the runtime brings in a person (main/runtime/escalation.ts). A Procedure's front matter may
 * name the team for each (`escalation:`), or one team for all (`default`).
 */
export const ESCALATION_REASONS = ['customer_asked_for_human', 'loop', 'no_progress', 'connector_failures', 'runaway', 'stuck', 'other'] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

/** One `escalation:` entry: the team for a reason, or for every reason not named (`default`). */
export interface EscalationTeam {
  reason: EscalationReason | 'default';
  team: string;
  /** The team name's place in the front matter. */
  span: Span;
}

export interface Header {
  name: string | null;
  trigger: string | null;
  description: string | null;
  subProcedure: boolean;
  attributes: AttributeDecl[];
  /** Where escalations go while this Procedure is active; empty: the workspace's escalation team. */
  escalation: EscalationTeam[];
  /** Span of the whole front matter block, including the `---` fences. */
  span: Span;
  nameSpan?: Span;
}

export interface FrontMatter {
  /** Raw YAML between the fences, kept verbatim so that comments and layout survive printing. */
  raw: string;
  header: Header;
}

// ----- inline references -------------------------------------------------------------------------

export type InlineRef =
  | { kind: 'attribute'; name: string; /** collected here ("collect {x}") rather than read */ collects: boolean; span: Span }
  | { kind: 'action'; connector: string; action: string; span: Span }
  | { kind: 'subprocedure'; name: string; span: Span }
  | { kind: 'goto'; step: string; span: Span; final: boolean }
  | { kind: 'handoff'; team: string; note: string | null; span: Span; final: boolean }
  | { kind: 'switch'; name: string; span: Span; final: boolean }
  | { kind: 'tag'; tag: string; span: Span }
  | { kind: 'end'; span: Span; final: boolean };

/** A line of prose with the references found in it. */
export interface TextLine {
  text: string;
  span: Span;
  refs: InlineRef[];
}

// ----- blocks -------------------------------------------------------------------------------------

interface BlockBase {
  /** True when the block is a list item (`- …`). */
  bullet: boolean;
  /** True when a blank line separates the block from what comes before it. */
  blankBefore: boolean;
  span: Span;
}

export interface Paragraph extends BlockBase {
  kind: 'paragraph';
  lines: TextLine[];
  /** Nested list items under a bullet. */
  children: Block[];
}

export interface CodeBlock extends BlockBase {
  kind: 'code';
  /** `python` for runnable code; anything else is shown as an example and never run. */
  language: string;
  code: string;
  /** The opening fence as written (``` or longer). */
  fence: string;
  /** Where each code line starts in the document, after the block's indentation. */
  linePositions: Position[];
  closed: boolean;
}

export type Test =
  | { kind: 'python'; expression: string; span: Span }
  | { kind: 'plain'; text: string; refs: InlineRef[]; span: Span };

export interface Branch {
  kind: 'if' | 'elseif' | 'else';
  test: Test | null;
  /** Span of the header line (`If …:`, `Otherwise, if …:`, `Otherwise:`). */
  headerSpan: Span;
  body: Block[];
  blankBefore: boolean;
  span: Span;
}

export interface Condition extends BlockBase {
  kind: 'condition';
  branches: Branch[];
}

export type Block = Paragraph | CodeBlock | Condition;

export interface Step {
  kind: 'step';
  title: string;
  /** Stable id shared by the graph, the runtime and the trace, e.g. `step:find-the-order`. */
  id: string;
  titleSpan: Span;
  body: Block[];
  span: Span;
}

export interface ProcedureDocument {
  kind: 'document';
  frontMatter: FrontMatter | null;
  /** Text between the front matter and the first step: an overview the agent always sees. */
  preamble: Block[];
  steps: Step[];
  span: Span;
}

export interface ParseResult {
  document: ProcedureDocument;
  diagnostics: Diagnostic[];
}
