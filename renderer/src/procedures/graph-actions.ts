// Graph edits, as the language's text edits: ask what is needed, then apply them to the session
// as one undoable change.
import { addBranch, deleteStep, insertStepAfter, moveStep, removeBranch, renameStep } from '../../../shared/procedure';
import type { GraphAction } from '../graph/GraphView';
import { askConfirm, askText, showMessage } from '../ui/dialogs';
import type { ProcedureSession } from './session';

const lineOf = (needle: string) => (text: string) => {
  const index = text.split(/\r?\n/).indexOf(needle);
  return index < 0 ? null : index + 1;
};

export async function runGraphAction(session: ProcedureSession, action: GraphAction): Promise<void> {
  const text = () => session.model.getValue();
  let error: string | null = null;
  switch (action.type) {
    case 'add-step': {
      const title = (await askText('Add a step', 'Step title', '', { ok: 'Add step' }))?.trim();
      if (!title) return;
      error = session.applyEdit(insertStepAfter(text(), action.after, title, ['Say what the agent should do in this step.']), lineOf(`## ${title}`));
      break;
    }
    case 'add-branch': {
      const test = await askText('Add a branch', 'When (plain language, or Python in `backticks`). Leave empty for "Otherwise".', '', { ok: 'Add branch' });
      if (test === null) return;
      const header = test.trim() ? `Otherwise, if ${test.trim()}:` : 'Otherwise:';
      error = session.applyEdit(addBranch(text(), action.conditionId, test.trim() || null), (next) => {
        const index = next.split(/\r?\n/).findIndex((line) => line.trimStart().replace(/^- /, '') === header);
        return index < 0 ? null : index + 1;
      });
      break;
    }
    case 'rename': {
      const step = session.analysis.graph.nodes.find((node) => node.id === action.stepId);
      const title = (await askText('Rename the step', 'New title', step?.label ?? '', { ok: 'Rename', message: 'Links to the step ([[#…]]) are renamed too.' }))?.trim();
      if (!title || title === step?.label) return;
      error = session.applyEdit(renameStep(text(), action.stepId, title), lineOf(`## ${title}`));
      break;
    }
    case 'delete': {
      const what = action.node.kind === 'step' ? `the step "${action.node.label}" and everything in it` : `the branch "${action.node.label}"`;
      if (!(await askConfirm('Delete from the graph?', `This deletes ${what} from the text. Ctrl+Z in the editor brings it back.`, 'Delete', true))) return;
      error = session.applyEdit(action.node.kind === 'step' ? deleteStep(text(), action.node.id) : removeBranch(text(), action.node.id));
      break;
    }
    case 'move':
      error = session.applyEdit(moveStep(text(), action.stepId, action.before));
      break;
  }
  if (error) await showMessage('The graph edit was not made', error);
}
