// The editor's language calls: what the workspace knows (for completion, hover and validation) and
// Python checks from the sandbox (for live diagnostics).
import type { CallArgs, CallOutput } from '../../shared/api';
import { procedureFacts } from '../procedures/text';
import { parse } from '../../shared/procedure';
import type { PythonIssue } from '../sandbox';
import type { Workspace } from '../store/workspace';
import { ServiceError } from './errors';

/** Syntax and policy issues of a Python snippet; the sandbox's `check`. */
export type PythonChecker = (code: string, mode: 'condition' | 'code') => Promise<PythonIssue[]>;

export function languageHandlers(workspace: Workspace, python: PythonChecker | null) {
  return {
    'language.context': (): CallOutput<'language.context'> => ({
      connectors: workspace.connectors.list().map((connector) => ({
        name: connector.name,
        description: connector.description ?? '',
        actions: connector.actions.map((action) => ({ name: action.name, description: action.description, confirm: action.confirm ?? false })),
      })),
      procedures: workspace.procedures.list().map((record) => {
        const header = parse(record.draftText).document.frontMatter?.header;
        const facts = procedureFacts(record.draftText);
        return { name: record.name, trigger: header?.trigger ?? null, description: header?.description ?? null, subProcedure: facts.subProcedure, calls: facts.calls };
      }),
      teams: workspace.teams.list().map(({ name, description }) => ({ name, description })),
    }),

    'language.checkPython': async ({ snippets }: CallArgs<'language.checkPython'>): Promise<CallOutput<'language.checkPython'>> => {
      if (!python) throw new ServiceError('unavailable', 'The Python sandbox is not running in this session, so Python is not checked.');
      const results: CallOutput<'language.checkPython'> = [];
      for (const snippet of snippets) results.push(await python(snippet.code, snippet.mode));
      return results;
    },
  };
}
