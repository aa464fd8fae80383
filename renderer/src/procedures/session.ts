// One open Procedure: the Monaco model and what the language makes of it. Re-parses and re-graphs
// on every change (a few milliseconds, even for 2,000 lines), validates shortly after, asks the
// sandbox to check new Python snippets, and applies graph edits as one undoable text edit.
import type * as Monaco from 'monaco-editor/editor/editor.api';
import type { ApiClient, PythonIssueDto } from '../../../shared/api';
import { ApiCallError } from '../../../shared/api';
import { parse, toGraph, validate, type Diagnostic, type EditResult, type ProcedureDocument, type ProcedureGraph, type Span } from '../../../shared/procedure';
import { toRangeEdits } from '../editor/line-edits';
import { languageState, markerDiagnostics, markerKey, rememberDocument } from '../editor/procedure-language';
import { pythonKey, validationContext } from '../language/context';
import { uncheckedSnippets } from '../language/python-issues';
import { exposeForTests } from './test-inspection';

export interface Analysis {
  version: number;
  document: ProcedureDocument;
  /** What the parser could not read. */
  parseDiagnostics: Diagnostic[];
  graph: ProcedureGraph;
}

// Validation waits for a pause in typing (it takes a few milliseconds on a long Procedure, and the
// graph must not wait behind it); the graph itself follows every keystroke.
const VALIDATE_DELAY_MS = 250;
const PYTHON_DELAY_MS = 400;
const MARKER_OWNER = 'procedure';

export class ProcedureSession {
  analysis: Analysis;
  diagnostics: Diagnostic[] = [];
  private diagnosticsSignature: string | null = null;
  cursorLine = 1;
  private savedVersion: number;
  private readonly listeners = new Set<() => void>();
  private readonly python = new Map<string, PythonIssueDto[]>();
  private pythonAvailable = true;
  private validateTimer: ReturnType<typeof setTimeout> | null = null;
  private pythonTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly disposables: Monaco.IDisposable[] = [];
  private snapshot: { analysis: Analysis; diagnostics: Diagnostic[]; cursorLine: number; dirty: boolean };

  constructor(
    private readonly monaco: typeof Monaco,
    readonly editor: Monaco.editor.IStandaloneCodeEditor,
    readonly model: Monaco.editor.ITextModel,
    private readonly api: ApiClient,
  ) {
    this.analysis = this.analyze();
    this.savedVersion = model.getAlternativeVersionId();
    this.snapshot = this.makeSnapshot();
    this.disposables.push(
      model.onDidChangeContent(() => {
        this.analysis = this.analyze();
        this.scheduleValidation();
        this.notify();
      }),
      editor.onDidChangeCursorPosition((event) => {
        if (event.position.lineNumber === this.cursorLine) return;
        this.cursorLine = event.position.lineNumber;
        this.notify();
      }),
    );
    this.runValidation();
    // Only the test build (mode "e2e") keeps this: Vite folds the check to false in production.
    if (import.meta.env.MODE === 'e2e') exposeForTests(monaco, editor, model, () => this.diagnostics);
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A stable object for useSyncExternalStore: a new one only when something changed. */
  getSnapshot = () => this.snapshot;

  get dirty(): boolean {
    return this.model.getAlternativeVersionId() !== this.savedVersion;
  }

  markSaved(): void {
    this.savedVersion = this.model.getAlternativeVersionId();
    this.notify();
  }

  /** Re-checks against a new workspace context (Procedures or connectors changed). */
  revalidate(): void {
    this.runValidation();
  }

  /** Applies a graph edit as one text edit, undone by one Ctrl+Z. Returns the error, if any. */
  applyEdit(result: EditResult, selectLine?: (text: string) => number | null): string | null {
    if (!result.ok) return result.error;
    const eol = this.model.getEOL();
    const operations = toRangeEdits(result.edits, this.model.getLinesContent(), eol).map((edit) => ({
      range: new this.monaco.Range(edit.range.startLineNumber, edit.range.startColumn, edit.range.endLineNumber, edit.range.endColumn),
      text: edit.text,
      forceMoveMarkers: true,
    }));
    this.editor.pushUndoStop();
    this.editor.executeEdits('graph', operations);
    if (this.model.getValue() !== result.text) {
      // Never leave a text that differs from what the edit meant: replace it all (still one undo step).
      this.editor.executeEdits('graph', [{ range: this.model.getFullModelRange(), text: result.text }]);
    }
    this.editor.pushUndoStop();
    const line = selectLine?.(result.text);
    if (line) {
      this.editor.setSelection(new this.monaco.Selection(line, 1, line, this.model.getLineMaxColumn(line)));
      this.editor.revealLineInCenterIfOutsideViewport(line);
    }
    return null;
  }

  /** Selects a span of the text and brings it into view (clicking a node in the graph). */
  reveal(span: Span): void {
    const start = this.model.getPositionAt(span.start.offset);
    const end = this.model.getPositionAt(span.end.offset);
    const range = new this.monaco.Selection(start.lineNumber, start.column, end.lineNumber, end.column);
    this.editor.setSelection(range);
    this.editor.revealRangeInCenterIfOutsideViewport(range);
    this.editor.focus();
  }

  dispose(): void {
    if (this.validateTimer) clearTimeout(this.validateTimer);
    if (this.pythonTimer) clearTimeout(this.pythonTimer);
    for (const disposable of this.disposables) disposable.dispose();
    this.listeners.clear();
  }

  private analyze(): Analysis {
    const { document, diagnostics } = parse(this.model.getValue());
    rememberDocument(this.model, document);
    return { version: this.model.getVersionId(), document, parseDiagnostics: diagnostics, graph: toGraph(document) };
  }

  private scheduleValidation() {
    if (this.validateTimer) clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => {
      this.validateTimer = null;
      this.runValidation();
    }, VALIDATE_DELAY_MS);
  }

  private runValidation() {
    const { document, graph, parseDiagnostics } = this.analysis;
    const diagnostics = [...parseDiagnostics, ...validate(document, validationContext(languageState.context, this.python), graph)];
    // Nothing new to show (the usual case while typing prose): leave the markers and the graph alone.
    const signature = diagnostics.map((d) => `${d.severity}|${d.code}|${d.span.start.offset}|${d.span.end.offset}|${d.message}`).join('\n');
    if (signature === this.diagnosticsSignature) {
      this.schedulePython();
      return;
    }
    this.diagnosticsSignature = signature;
    this.diagnostics = diagnostics;
    const severity = this.monaco.MarkerSeverity;
    const byKey = new Map<string, Diagnostic>();
    const markers = diagnostics.map((diagnostic) => {
      const start = this.model.getPositionAt(diagnostic.span.start.offset);
      let end = this.model.getPositionAt(diagnostic.span.end.offset);
      if (end.lineNumber === start.lineNumber && end.column === start.column) end = new this.monaco.Position(start.lineNumber, this.model.getLineMaxColumn(start.lineNumber));
      const marker = {
        severity: diagnostic.severity === 'error' ? severity.Error : diagnostic.severity === 'warning' ? severity.Warning : severity.Info,
        message: diagnostic.message,
        code: diagnostic.code,
        source: diagnostic.code === 'python' ? 'Python' : 'Procedure',
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: end.lineNumber,
        endColumn: end.column,
      };
      byKey.set(markerKey(marker), diagnostic);
      return marker;
    });
    markerDiagnostics.set(this.model, byKey);
    this.monaco.editor.setModelMarkers(this.model, MARKER_OWNER, markers);
    this.notify();
    this.schedulePython();
  }

  private schedulePython() {
    if (!this.pythonAvailable) return;
    if (this.pythonTimer) clearTimeout(this.pythonTimer);
    this.pythonTimer = setTimeout(() => void this.checkPython(), PYTHON_DELAY_MS);
  }

  private async checkPython() {
    this.pythonTimer = null;
    const snippets = uncheckedSnippets(this.analysis.document, this.python);
    if (snippets.length === 0) return;
    try {
      const results = await this.api['language.checkPython']({ snippets: snippets.map((snippet) => ({ mode: snippet.mode, code: snippet.code })) });
      snippets.forEach((snippet, index) => this.python.set(pythonKey(snippet), results[index] ?? []));
      if (!this.model.isDisposed()) this.runValidation();
    } catch (error) {
      if (error instanceof ApiCallError && error.code === 'unavailable') this.pythonAvailable = false;
    }
  }

  private makeSnapshot() {
    return { analysis: this.analysis, diagnostics: this.diagnostics, cursorLine: this.cursorLine, dirty: this.dirty };
  }

  private notify() {
    this.snapshot = this.makeSnapshot();
    for (const listener of this.listeners) listener();
  }
}
