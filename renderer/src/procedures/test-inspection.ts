// Read-only inspection of the open Procedure for the end-to-end tests, which need the whole text
// (Monaco draws only the visible lines), the selection and the diagnostics. Compiled only into the
// renderer's test build (mode "e2e", dist/renderer-e2e): session.ts calls it behind a check of the
// build mode that Vite folds away, so the production build holds neither this module nor the hook
// (tests/renderer/production-build.test.ts checks it).
import type * as Monaco from 'monaco-editor/editor/editor.api';
import type { Diagnostic } from '../../../shared/procedure';

export const INSPECTION_GLOBAL = '__stepwise';

export function exposeForTests(
  monaco: typeof Monaco,
  editor: Monaco.editor.IStandaloneCodeEditor,
  model: Monaco.editor.ITextModel,
  diagnostics: () => Diagnostic[],
): void {
  (window as unknown as Record<string, unknown>)[INSPECTION_GLOBAL] = {
    text: () => model.getValue(),
    selection: () => model.getValueInRange(editor.getSelection() ?? new monaco.Range(1, 1, 1, 1)),
    diagnostics: () => diagnostics().map((d) => ({ severity: d.severity, code: d.code, message: d.message, line: d.span.start.line })),
  };
}
