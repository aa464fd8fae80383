// "Draft a Procedure" for the app: the author model drafts from an outline, chosen knowledge
// articles and past transcripts (main/authoring/drafter.ts, as `stepwise draft` does), and the
// result is a proposal to show; acceptDraft is the only step that saves, after checking the text
// again (the workspace may have changed meanwhile), in one transaction.
import type { Diagnostic } from '../../shared/procedure';
import { draftProcedure, type DraftInput } from '../authoring/drafter';
import { checkProcedureText } from '../authoring/procedure-check';
import type { WrittenProcedure } from '../authoring/write-procedure';
import { ModelRequestError, ModelUnavailableError, type ModelCaller } from '../model/client';
import type { CodeSandbox } from '../sandbox/types';
import { StructuredOutputError } from '../simulations/forced-tool';
import type { ProcedureRecord } from '../store/procedures';
import type { Workspace } from '../store/workspace';
import { ServiceError } from './errors';

export interface DraftRequest {
  outline: string;
  articleIds: readonly number[];
  transcripts: readonly string[];
}

/** A diagnostic as a person reads it in a list: its line, then what is wrong. */
export const describeProblem = (diagnostic: Pick<Diagnostic, 'span' | 'message'>) => `line ${diagnostic.span.start.line}: ${diagnostic.message}`;

export async function proposeDraft(workspace: Workspace, deps: { model: () => Promise<ModelCaller>; sandbox: Pick<CodeSandbox, 'check'> }, request: DraftRequest): Promise<WrittenProcedure> {
  // The articles first: an unknown one is refused before the model is asked anything.
  const articles = request.articleIds.map((id) => {
    const found = workspace.knowledge.get(id);
    if (!found) throw new ServiceError('not-found', `There is no knowledge article with id ${id}; it may have been deleted.`);
    return { title: found.title, body: found.body };
  });
  const model = await deps.model();
  const input: DraftInput = { outline: request.outline, articles, transcripts: [...request.transcripts] };
  try {
    return await draftProcedure({ workspace, model, sandbox: deps.sandbox }, input);
  } catch (error) {
    throw authorFailure(error);
  }
}

/** Saves an accepted draft as a new Procedure; refused, saving nothing, unless it passes validate with a free name. */
export async function acceptDraft(workspace: Workspace, sandbox: Pick<CodeSandbox, 'check'>, text: string): Promise<ProcedureRecord> {
  const checked = await checkProcedureText(workspace, text, sandbox);
  const errors = checked.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  const taken = errors.find((diagnostic) => diagnostic.code === 'name-taken');
  if (taken) throw new ServiceError('conflict', `${taken.message} Nothing was saved.`);
  if (!checked.valid) throw new ServiceError('invalid', `The draft does not pass validate, so it was not saved: ${errors.map(describeProblem).join('; ')}`);
  // create() checks the name again inside its transaction: a Procedure made meanwhile is not overwritten.
  return workspace.procedures.create(text);
}

/** What the person is told when the author model fails; nothing was saved either way. */
function authorFailure(error: unknown): unknown {
  if (error instanceof ModelUnavailableError) return new ServiceError('unavailable', `The author model could not be reached: ${error.message} Nothing was saved.`);
  if (error instanceof ModelRequestError) return new ServiceError('unavailable', `The author model refused the request: ${error.message} Check the model in Settings. Nothing was saved.`);
  if (error instanceof StructuredOutputError) return new ServiceError('invalid', `The author model did not answer with a Procedure: ${error.message} Nothing was saved.`);
  return error;
}
