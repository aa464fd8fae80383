// Two versions side by side in Monaco's diff editor.
import { useEffect, useRef } from 'react';
import { currentMonacoTheme, monaco } from './monaco';
import { EDITOR_FONT_FAMILY, PROCEDURE_LANGUAGE } from './tokens';

export function DiffView({ original, modified }: { original: string; modified: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const left = monaco.editor.createModel(original, PROCEDURE_LANGUAGE);
    const right = monaco.editor.createModel(modified, PROCEDURE_LANGUAGE);
    const editor = monaco.editor.createDiffEditor(host.current!, {
      theme: currentMonacoTheme(),
      readOnly: true,
      // The textarea input path, as in the Procedure editor (it carries the labels set below).
      editContext: false,
      originalEditable: false,
      automaticLayout: true,
      renderSideBySide: true,
      // Long unchanged stretches fold away (a click shows them), so the changes are what one reads.
      hideUnchangedRegions: { enabled: true, contextLineCount: 3, minimumLineCount: 3, revealLineCount: 20 },
      minimap: { enabled: false },
      wordWrap: 'on',
      diffWordWrap: 'on',
      scrollBeyondLastLine: false,
      fontSize: 13,
      fontFamily: EDITOR_FONT_FAMILY,
      lineHeight: 20,
    });
    editor.setModel({ original: left, modified: right });
    // Each side's input is named, for screen readers (the diff editor's own label options leave them empty).
    editor.getOriginalEditor().updateOptions({ ariaLabel: 'Older version (read-only)' });
    editor.getModifiedEditor().updateOptions({ ariaLabel: 'Newer version (read-only)' });
    return () => {
      // Detach the models first: a diff still being computed then has nothing to report to.
      editor.setModel(null);
      editor.dispose();
      left.dispose();
      right.dispose();
      // Monaco keeps one global hover factory, set by the last editor created: the diff editor's,
      // whose services are gone now, so every later hover (in the Procedure editor too) would throw
      // "InstantiationService has been disposed". An editor made from the global services resets it.
      monaco.editor.create(document.createElement('div')).dispose();
    };
  }, [original, modified]);
  return <div className="diff-host" ref={host} data-testid="diff" />;
}
