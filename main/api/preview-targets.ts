// What a preview pane talks to, resolved against the workspace: the Procedure and the exact text
// the conversation will run on, checked with the same validator as the editor. Errors refuse the
// preview, naming their lines; warnings refuse it unless the caller chose "Run anyway".
import { createHash } from 'node:crypto';
import type { PreviewTarget } from '../../shared/api';
import { parse, validate, type Diagnostic } from '../../shared/procedure';
import { workspaceValidationContext } from '../procedures/workspace-context';
import { ServiceError } from '../services/errors';
import type { Workspace } from '../store/workspace';

/** The runtime's view of a target (main/assembly/preview-engine.ts: PreviewSubject). */
export interface ResolvedTarget {
  procedure: { name: string; text: string; version: string } | null;
  draft: boolean;
}

export function resolveTarget(workspace: Workspace, target: PreviewTarget): ResolvedTarget {
  switch (target.kind) {
    case 'workspace':
      return { procedure: null, draft: false };
    case 'text':
      return { procedure: { name: target.name, text: target.text, version: textVersion(target.text) }, draft: true };
    case 'draft': {
      const record = workspace.procedures.get(target.name);
      if (!record) throw new ServiceError('not-found', `There is no Procedure called "${target.name}".`);
      return { procedure: { name: record.name, text: record.draftText, version: `draft:${record.draftHash}` }, draft: true };
    }
    case 'version': {
      const record = workspace.procedures.get(target.name);
      if (!record) throw new ServiceError('not-found', `There is no Procedure called "${target.name}".`);
      const number = target.version === 'live' ? record.live?.version : target.version;
      if (number === undefined) throw new ServiceError('not-found', `"${record.name}" has never been published, so it has no live version: preview its draft instead.`);
      const version = workspace.procedures.version(record.name, number);
      return { procedure: { name: record.name, text: version.text, version: version.contentHash }, draft: false };
    }
  }
}

/** Names one text of a Procedure in the runtime's catalog (as a content hash names a version). */
export const textVersion = (text: string) => `text:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;

/** The text's diagnostics as the editor shows them: errors always refuse; warnings unless `runAnyway`. Returns the warnings run anyway. */
export function checkTargetText(workspace: Workspace, procedure: { name: string; text: string }, runAnyway: boolean): string[] {
  const { document, diagnostics: parsed } = parse(procedure.text);
  const diagnostics = [...parsed, ...validate(document, workspaceValidationContext(workspace))];
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  if (errors.length > 0) {
    throw new ServiceError('invalid', `"${procedure.name}" cannot be previewed: it has ${errors.length} ${errors.length === 1 ? 'error' : 'errors'}.\n${errors.slice(0, 10).map(line).join('\n')}`);
  }
  if (warnings.length > 0 && !runAnyway) {
    throw new ServiceError('invalid', `"${procedure.name}" has ${warnings.length} ${warnings.length === 1 ? 'warning' : 'warnings'}; choose Run anyway to preview it as it is.\n${warnings.slice(0, 10).map(line).join('\n')}`);
  }
  return warnings.map(line);
}

const line = (d: Diagnostic) => `  line ${d.span.start.line}: ${d.message}`;
