// Two versions side by side in Monaco's diff editor.
import { useEffect, useRef } from 'react';
import { monaco } from './monaco';
import { PROCEDURE_LANGUAGE } from './tokens';

export function DiffView({ original, modified }: { original: string; modified: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const left = monaco.editor.createModel(original, PROCEDURE_LANGUAGE);
    const right = monaco.editor.createModel(modified, PROCEDURE_LANGUAGE);
    const editor = monaco.editor.createDiffEditor(host.current!, {
      theme: 'stepwise',
      readOnly: true,
      originalEditable: false,
      automaticLayout: true,
      renderSideBySide: true,
      minimap: { enabled: false },
      wordWrap: 'on',
      diffWordWrap: 'on',
      scrollBeyondLastLine: false,
      fontSize: 13,
    });
    editor.setModel({ original: left, modified: right });
    return () => {
      editor.dispose();
      left.dispose();
      right.dispose();
    };
  }, [original, modified]);
  return <div className="diff-host" ref={host} data-testid="diff" />;
}
