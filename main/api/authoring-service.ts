// "Draft a Procedure" over the API (main/services/procedure-drafts.ts): the proposal goes back as
// text and a diff from nothing; only acceptDraft saves.
import { createTwoFilesPatch } from 'diff';
import type { CallArgs, CallOutput } from '../../shared/api';
import { ModelClient, type ModelCaller } from '../model/client';
import type { ModelSettings } from '../model/settings';
import { loadModelSettings } from '../model/workspace-settings';
import type { CodeSandbox } from '../sandbox/types';
import type { SecretStore } from '../secrets/secret-store';
import { ServiceError } from '../services/errors';
import { acceptDraft, describeProblem, proposeDraft } from '../services/procedure-drafts';
import type { Workspace } from '../store/workspace';
import type { EventHub } from './events';

export interface AuthoringDeps {
  workspace: Workspace;
  hub: EventHub;
  secrets: SecretStore;
  sandbox: Pick<CodeSandbox, 'check'>;
  modelClient?: (settings: ModelSettings) => ModelCaller;
}

export function authoringHandlers(deps: AuthoringDeps) {
  const { workspace } = deps;

  async function authorModel(): Promise<ModelCaller> {
    const settings = await loadModelSettings(workspace, deps.secrets, {});
    if (!settings.apiKey) throw new ServiceError('no-model', 'No model is configured: add an API key in Settings to draft a Procedure with AI.');
    return (deps.modelClient ?? ((loaded: ModelSettings) => new ModelClient(loaded)))(settings);
  }

  return {
    'authoring.draft': async (request: CallArgs<'authoring.draft'>): Promise<CallOutput<'authoring.draft'>> => {
      const drafted = await proposeDraft(workspace, { model: authorModel, sandbox: deps.sandbox }, request);
      return {
        text: drafted.text,
        name: drafted.name,
        summary: drafted.summary,
        valid: drafted.valid,
        problems: drafted.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map(describeProblem),
        warnings: drafted.diagnostics.filter((diagnostic) => diagnostic.severity === 'warning').map(describeProblem),
        repairs: drafted.attempts - 1,
        patch: createTwoFilesPatch('(nothing)', drafted.name ?? '(new Procedure)', '', drafted.text, '', '', { context: 3 }),
      };
    },

    'authoring.acceptDraft': async ({ text }: CallArgs<'authoring.acceptDraft'>): Promise<CallOutput<'authoring.acceptDraft'>> => {
      const record = await acceptDraft(workspace, deps.sandbox, text);
      deps.hub.emit('procedures.changed', { names: [record.name], reason: 'created' });
      return { name: record.name };
    },
  };
}
