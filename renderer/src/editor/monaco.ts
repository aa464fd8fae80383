// Monaco, bundled with the app (never from a CDN; see monaco-slim.ts), with only the editor worker: the Procedure
// language's services run on the main thread from shared/procedure, and no TypeScript/JSON/CSS
// worker is ever started.
import * as monaco from './monaco-slim';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { registerProcedureLanguage } from './procedure-language';
import { getTheme, onThemeChange } from '../ui/theme';
import { MONACO_THEMES } from './tokens';

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label !== 'editorWorkerService') throw new Error(`Stepwise loads no worker for ${label}.`);
    return new EditorWorker();
  },
};

registerProcedureLanguage(monaco);

/** Monaco's theme for the app's current theme; every editor follows the app's switch. */
export const currentMonacoTheme = () => MONACO_THEMES[getTheme()];
onThemeChange((theme) => monaco.editor.setTheme(MONACO_THEMES[theme]));

export { monaco };
