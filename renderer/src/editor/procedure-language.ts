// Registers the Procedure language with Monaco: highlighting, completion, hover, folding and quick
// fixes. The providers read the document from a per-model cache and the workspace's context from
// `languageState`, which the Procedure screen keeps up to date.
import type * as Monaco from 'monaco-editor/editor/editor.api';
import type { LanguageContext } from '../../../shared/api';
import { parse, type Diagnostic, type ProcedureDocument } from '../../../shared/procedure';
import { completionsAt, type CompletionKind } from '../language/completions';
import { foldingRanges } from '../language/folding';
import { hoverAt } from '../language/hover';
import { quickFixes } from '../language/quick-fixes';
import { MONACO_THEMES, PROCEDURE_LANGUAGE, procedureDarkTheme, procedureLightTheme, procedureTokens } from './tokens';

export const languageState: { context: LanguageContext | null } = { context: null };

/** Diagnostics behind each marker, so quick fixes can read their code. */
export const markerDiagnostics = new WeakMap<Monaco.editor.ITextModel, Map<string, Diagnostic>>();
export const markerKey = (marker: { startLineNumber: number; startColumn: number; message: string }) => `${marker.startLineNumber}:${marker.startColumn}:${marker.message}`;

const parsed = new WeakMap<Monaco.editor.ITextModel, { version: number; document: ProcedureDocument }>();

export function documentOf(model: Monaco.editor.ITextModel): ProcedureDocument {
  const version = model.getVersionId();
  const cached = parsed.get(model);
  if (cached?.version === version) return cached.document;
  const document = parse(model.getValue()).document;
  parsed.set(model, { version, document });
  return document;
}

/** Lets the screen share its parse of the current version with the providers. */
export function rememberDocument(model: Monaco.editor.ITextModel, document: ProcedureDocument): void {
  parsed.set(model, { version: model.getVersionId(), document });
}

let registered = false;

export function registerProcedureLanguage(monaco: typeof Monaco): void {
  if (registered) return;
  registered = true;
  monaco.languages.register({ id: PROCEDURE_LANGUAGE, extensions: ['.md'], aliases: ['Procedure'] });
  monaco.languages.setMonarchTokensProvider(PROCEDURE_LANGUAGE, procedureTokens);
  monaco.languages.setLanguageConfiguration(PROCEDURE_LANGUAGE, {
    brackets: [['[[', ']]'], ['{', '}']],
    autoClosingPairs: [{ open: '`', close: '`', notIn: ['string'] }],
    surroundingPairs: [{ open: '`', close: '`' }],
  });
  monaco.editor.defineTheme(MONACO_THEMES.light, procedureLightTheme);
  monaco.editor.defineTheme(MONACO_THEMES.dark, procedureDarkTheme);

  const kinds: Record<CompletionKind, Monaco.languages.CompletionItemKind> = {
    action: monaco.languages.CompletionItemKind.Function,
    directive: monaco.languages.CompletionItemKind.Keyword,
    attribute: monaco.languages.CompletionItemKind.Variable,
    procedure: monaco.languages.CompletionItemKind.Module,
    step: monaco.languages.CompletionItemKind.Reference,
    team: monaco.languages.CompletionItemKind.User,
  };

  monaco.languages.registerCompletionItemProvider(PROCEDURE_LANGUAGE, {
    triggerCharacters: ['@', '{', '[', '#', ' '],
    provideCompletionItems(model, position) {
      const offset = model.getOffsetAt(position);
      const result = completionsAt(model.getValue(), offset, documentOf(model), languageState.context);
      if (!result) return { suggestions: [] };
      const start = model.getPositionAt(result.from);
      const range = new monaco.Range(start.lineNumber, start.column, position.lineNumber, position.column);
      return {
        suggestions: result.items.map((item, index) => ({
          label: item.label,
          insertText: item.insertText,
          kind: kinds[item.kind],
          detail: item.detail,
          ...(item.documentation ? { documentation: { value: item.documentation } } : {}),
          range,
          sortText: String(index).padStart(4, '0'),
        })),
      };
    },
  });

  monaco.languages.registerHoverProvider(PROCEDURE_LANGUAGE, {
    provideHover(model, position) {
      const hover = hoverAt(documentOf(model), model.getOffsetAt(position), languageState.context);
      if (!hover) return null;
      const start = model.getPositionAt(hover.span.start.offset);
      const end = model.getPositionAt(hover.span.end.offset);
      return { range: new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column), contents: [{ value: hover.markdown }] };
    },
  });

  monaco.languages.registerFoldingRangeProvider(PROCEDURE_LANGUAGE, {
    provideFoldingRanges(model) {
      return foldingRanges(documentOf(model), model.getLinesContent()).map((range) => ({
        start: range.start,
        end: range.end,
        ...(range.kind === 'frontmatter' ? { kind: monaco.languages.FoldingRangeKind.Comment } : range.kind === 'step' ? { kind: monaco.languages.FoldingRangeKind.Region } : {}),
      }));
    },
  });

  monaco.languages.registerCodeActionProvider(PROCEDURE_LANGUAGE, {
    provideCodeActions(model, _range, context) {
      const diagnostics = markerDiagnostics.get(model);
      const document = documentOf(model);
      const text = model.getValue();
      const actions: Monaco.languages.CodeAction[] = [];
      for (const marker of context.markers) {
        const diagnostic = diagnostics?.get(markerKey(marker));
        if (!diagnostic) continue;
        for (const fix of quickFixes(text, document, diagnostic)) {
          actions.push({
            title: fix.title,
            kind: 'quickfix',
            isPreferred: true,
            diagnostics: [marker],
            edit: {
              edits: fix.edits.map((edit) => {
                const start = model.getPositionAt(edit.start);
                const end = model.getPositionAt(edit.end);
                return { resource: model.uri, versionId: model.getVersionId(), textEdit: { range: new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column), text: edit.text } };
              }),
            },
          });
        }
      }
      return { actions, dispose() {} };
    },
  });
}
