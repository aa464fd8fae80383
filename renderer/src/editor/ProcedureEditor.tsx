// The Monaco editor for one Procedure's text. It creates the model and editor, hands them to the
// screen through onReady, and disposes both when the screen closes.
import { useEffect, useRef } from 'react';
import type * as Monaco from 'monaco-editor/editor/editor.api';
import { currentMonacoTheme, monaco } from './monaco';
import { EDITOR_FONT_FAMILY, PROCEDURE_LANGUAGE } from './tokens';

export interface EditorReady {
  monaco: typeof Monaco;
  editor: Monaco.editor.IStandaloneCodeEditor;
  model: Monaco.editor.ITextModel;
}

export function ProcedureEditor({ text, onReady }: { text: string; onReady: (ready: EditorReady | null) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const initial = useRef(text);
  const ready = useRef(onReady);
  useEffect(() => {
    const model = monaco.editor.createModel(initial.current, PROCEDURE_LANGUAGE);
    const editor = monaco.editor.create(host.current!, {
      model,
      ariaLabel: 'Procedure text',
      theme: currentMonacoTheme(),
      automaticLayout: true,
      // Playwright's typing drops spaces with Chromium's EditContext; the textarea path is plain.
      editContext: false,
      minimap: { enabled: false },
      wordWrap: 'on',
      folding: true,
      showFoldingControls: 'always',
      fixedOverflowWidgets: true,
      scrollBeyondLastLine: false,
      renderLineHighlight: 'all',
      lightbulb: { enabled: monaco.editor.ShowLightbulbIconMode.OnCode },
      quickSuggestions: false,
      fontSize: 13,
      fontFamily: EDITOR_FONT_FAMILY,
      lineHeight: 20,
      padding: { top: 6 },
      tabSize: 2,
      insertSpaces: true,
      unicodeHighlight: { ambiguousCharacters: false },
      // Work Monaco would redo after every keystroke that Procedures do not need.
      occurrencesHighlight: 'off',
      selectionHighlight: false,
      codeLens: false,
      links: false,
      colorDecorators: false,
      stickyScroll: { enabled: false },
    });
    ready.current({ monaco, editor, model });
    return () => {
      ready.current(null);
      editor.dispose();
      model.dispose();
    };
  }, []);
  return <div className="editor-host" ref={host} data-testid="editor" />;
}
