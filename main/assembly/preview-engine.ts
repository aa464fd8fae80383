// The chat preview's engine: createEngine over the workspace, with one Procedure's text laid over
// the catalog (the editor's unsaved text, the saved draft, or one published version) so the
// conversation runs on exactly that text, and its other Procedures as drafts (for a draft or the
// editor's text) or live (for a version). Each conversation is stored with a first trace event,
// `preview_started`, naming what it ran on and the text itself, so it can be reopened later on
// the same text.
import type { ModelCaller } from '../model/client';
import { checkAttributeValue } from '../runtime/attribute-values';
import { compileProcedure, type CompiledProcedure } from '../runtime/compiled-procedure';
import type { ConversationPersistence, ConversationState, ProcedureCatalog, TraceEvent } from '../runtime/types';
import { WorkspaceCatalog, WorkspacePersistence } from '../runtime/workspace-services';
import type { CodeSandbox } from '../sandbox/types';
import type { Workspace } from '../store/workspace';
import { createEngine, type AssembledEngine, type WorkspaceConnectorChoice } from './engine';

/** The Procedure a preview starts in, with the text it runs on; null: the workspace, routed. */
export interface PreviewSubject {
  procedure: { name: string; text: string; version: string } | null;
  /** The other Procedures: drafts, or live versions. */
  draft: boolean;
  /** Stored with the conversation (the `preview_started` event), to list and reopen it. */
  meta: Record<string, unknown>;
}

export interface PreviewEngineOptions {
  workspace: Workspace;
  subject: PreviewSubject;
  model: ModelCaller;
  connectors: WorkspaceConnectorChoice;
  sandbox: CodeSandbox;
}

export interface PreviewEngine extends AssembledEngine {
  /** What is wrong with these starting attributes for the subject's Procedure (none: they fit its declared types). */
  attributeProblems(attributes: Record<string, unknown>): string[];
}

export const PREVIEW_STARTED = 'preview_started';

export function createPreviewEngine(options: PreviewEngineOptions): PreviewEngine {
  const { subject, workspace } = options;
  const compiled = subject.procedure ? compileProcedure(subject.procedure.text, subject.procedure.version) : null;
  const base = new WorkspaceCatalog(workspace, subject.draft);
  const assembled = createEngine({
    workspace,
    model: options.model,
    draft: subject.draft,
    connectors: options.connectors,
    sandbox: options.sandbox,
    catalog: compiled ? overlayCatalog(base, compiled) : base,
    persistence: withPreviewMeta(new WorkspacePersistence(workspace), subject.meta),
    stream: true,
  });
  return { ...assembled, attributeProblems: (attributes) => startingAttributeProblems(compiled, attributes) };
}

/** The catalog with one Procedure's compiled text in place of whatever the workspace holds under its name. */
export function overlayCatalog(base: ProcedureCatalog, procedure: CompiledProcedure): ProcedureCatalog {
  return {
    async routable() {
      const others = (await base.routable()).filter((entry) => entry.name !== procedure.name);
      return procedure.subProcedure || !procedure.trigger ? others : [...others, { name: procedure.name, trigger: procedure.trigger }];
    },
    async load(name, options) {
      return name === procedure.name ? procedure : await base.load(name, options);
    },
  };
}

/** Starting attributes against the Procedure's declarations: an undeclared name or a value of the wrong type is a problem. */
export function startingAttributeProblems(procedure: CompiledProcedure | null, attributes: Record<string, unknown>): string[] {
  if (!procedure) return [];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(attributes)) {
    const decl = procedure.attributes.find((attribute) => attribute.name === name);
    if (!decl) {
      problems.push(`"${procedure.name}" declares no attribute "${name}" (it declares ${procedure.attributes.map((a) => a.name).join(', ') || 'none'}).`);
      continue;
    }
    const checked = checkAttributeValue(decl, value);
    if (!checked.ok) problems.push(checked.message);
  }
  return problems;
}

/** Persistence that puts the preview's description first in a new conversation's trace. */
function withPreviewMeta(inner: ConversationPersistence, meta: Record<string, unknown>): ConversationPersistence {
  const fresh = new Set<number>();
  return {
    async create(kind) {
      const id = await inner.create(kind);
      fresh.add(id);
      return id;
    },
    async saveTurn(id: number, state: ConversationState, messages, trace: TraceEvent[]) {
      const first = fresh.delete(id);
      await inner.saveTurn(id, state, messages, first ? [{ type: PREVIEW_STARTED, stepId: null, payload: meta }, ...trace] : trace);
    },
    load: (id) => inner.load(id),
  };
}
