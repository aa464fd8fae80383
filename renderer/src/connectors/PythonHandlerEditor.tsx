// A Python mock handler in Monaco, with the sandbox's diagnostics (syntax and policy, the same check
// the run applies) as markers, checked a moment after typing stops.
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/context';
import { currentMonacoTheme, monaco } from '../editor/monaco';
import { EDITOR_FONT_FAMILY } from '../editor/tokens';
import { handlerIssueLines, type HandlerIssue } from './handler-issues';

const CHECK_DELAY_MS = 400;
const MARKER_OWNER = 'mock-handler';

export function PythonHandlerEditor({ label, value, onChange }: { label: string; value: string; onChange: (value: string) => void }) {
  const api = useApi();
  const host = useRef<HTMLDivElement>(null);
  const changed = useRef(onChange);
  changed.current = onChange;
  const [note, setNote] = useState<string | null>(null);
  const [issues, setIssues] = useState<HandlerIssue[]>([]);
  const editorModel = useRef<ReturnType<typeof monaco.editor.createModel> | null>(null);
  // A value replaced from outside (an action above removed) replaces the text.
  useEffect(() => {
    if (editorModel.current && editorModel.current.getValue() !== value) editorModel.current.setValue(value);
  }, [value]);
  useEffect(() => {
    const model = monaco.editor.createModel(value, 'python');
    editorModel.current = model;
    const editor = monaco.editor.create(host.current!, {
      model,
      ariaLabel: label,
      theme: currentMonacoTheme(),
      automaticLayout: true,
      editContext: false,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      fontSize: 13,
      fontFamily: EDITOR_FONT_FAMILY,
      lineHeight: 20,
      tabSize: 4,
      insertSpaces: true,
      fixedOverflowWidgets: true,
      // No word-guessing popups over a short handler (the Procedure editor has none either).
      quickSuggestions: false,
      wordBasedSuggestions: 'off',
      stickyScroll: { enabled: false },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let disposed = false;
    const check = async () => {
      const code = model.getValue();
      if (code.trim() === '') {
        monaco.editor.setModelMarkers(model, MARKER_OWNER, []);
        setIssues([]);
        return;
      }
      try {
        const [found = []] = await api['language.checkPython']({ snippets: [{ mode: 'code', code }] });
        if (disposed || model.getValue() !== code) return;
        monaco.editor.setModelMarkers(
          model,
          MARKER_OWNER,
          found.map((issue) => ({ severity: monaco.MarkerSeverity.Error, message: issue.message, startLineNumber: issue.line, startColumn: issue.column, endLineNumber: issue.line, endColumn: model.getLineMaxColumn(Math.min(Math.max(issue.line, 1), model.getLineCount())) })),
        );
        setIssues(found.map((issue) => ({ line: issue.line, message: issue.message })));
        setNote(null);
      } catch (problem) {
        if (!disposed) setNote((problem as Error).message);
      }
    };
    const subscription = model.onDidChangeContent(() => {
      changed.current(model.getValue());
      clearTimeout(timer);
      timer = setTimeout(() => void check(), CHECK_DELAY_MS);
    });
    void check();
    return () => {
      disposed = true;
      clearTimeout(timer);
      subscription.dispose();
      editorModel.current = null;
      editor.dispose();
      model.dispose();
    };
    // The editor owns the text once created; a new action remounts it (its key).
  }, []);
  return (
    <div className="sw-field connectors-handler">
      <span className="sw-field-label">{label}</span>
      <div className="connectors-handler-host" ref={host} data-testid="handler-editor" />
      {note === null && issues.length > 0 ? (
        <ul className="sw-field-error connectors-handler-issues" data-testid="handler-issues">
          {handlerIssueLines(issues).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : (
        <small className="sw-field-help">{note ?? 'Runs in the sandbox when no static response matches: reads data["input"], may change attributes["world"], returns {"response": …}.'}</small>
      )}
    </div>
  );
}
