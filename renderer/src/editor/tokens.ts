// Syntax highlighting for Procedures (Monarch): the front matter as YAML, step headings, branch
// headers, references and directives, inline code and ```python blocks as Python.
import type * as Monaco from 'monaco-editor/editor/editor.api';

export const PROCEDURE_LANGUAGE = 'procedure';

export const procedureTokens: Monaco.languages.IMonarchLanguage = {
  defaultToken: '',
  tokenPostfix: '.procedure',
  tokenizer: {
    root: [
      [/^---\s*$/, { token: 'delimiter.frontmatter', switchTo: '@frontmatter', nextEmbedded: 'yaml' }],
      [/^/, { token: '@rematch', switchTo: '@body' }],
    ],
    frontmatter: [[/^(---|\.\.\.)\s*$/, { token: 'delimiter.frontmatter', switchTo: '@body', nextEmbedded: '@pop' }]],
    body: [
      [/^## .*$/, 'keyword.step'],
      [/^(\s*)(```+|~~~+)(\s*python\s*)$/, ['', 'delimiter.code', { token: 'delimiter.code', next: '@python', nextEmbedded: 'python' }]],
      [/^(\s*)(```+|~~~+)(.*)$/, ['', 'delimiter.code', { token: 'delimiter.code', next: '@example' }]],
      // A branch header only when the whole line is one: "If …:".
      [/^(\s*(?:[-*+] )?)(If|Otherwise,? if|Else if|Elif)(\s)(?=.*:\s*$)/, ['', 'keyword.branch', '']],
      [/^(\s*(?:[-*+] )?)(Otherwise|Else)(:\s*$)/, ['', 'keyword.branch', 'delimiter']],
      { include: '@inline' },
    ],
    inline: [
      [/\\[@{[]/, 'string.escape'],
      [/`/, { token: 'delimiter.inlinecode', next: '@inlinePython', nextEmbedded: 'python' }],
      [/([@]handoff)(\s+)([^:.;!?]+)/, ['keyword.directive', '', 'type.team']],
      [/([@]switch)(\s+)(\[\[[^\]]*\]\])/, ['keyword.directive', '', 'type.procedure']],
      [/([@]tag)(\s+)([\w-]+)/, ['keyword.directive', '', 'string.tag']],
      [/[@]end\b/, 'keyword.directive'],
      [/[\w.+-]+[@][\w.-]+/, ''], // an email address is text
      [/[@][A-Za-z_][\w-]*\.[A-Za-z_][\w-]*/, 'function.action'],
      [/[@][A-Za-z_][\w-]*/, 'invalid'],
      [/\{[A-Za-z_][\w.]*\}/, 'variable.attribute'],
      [/\[\[#[^\]]*\]\]/, 'tag.goto'],
      [/\[\[[^\]]*\]\]/, 'type.procedure'],
      [/\b[Cc]ollect\b/, 'keyword.collect'],
      [/[^\\`@{[cC\w]+/, ''],
      [/\w+/, ''],
      [/./, ''],
    ],
    inlinePython: [[/`/, { token: 'delimiter.inlinecode', next: '@pop', nextEmbedded: '@pop' }]],
    python: [[/^\s*(```+|~~~+)\s*$/, { token: 'delimiter.code', next: '@pop', nextEmbedded: '@pop' }]],
    example: [
      [/^\s*(```+|~~~+)\s*$/, { token: 'delimiter.code', next: '@pop' }],
      [/.*$/, 'string.example'],
    ],
  },
};

/** The app's monospace stack (--sw-font-mono in ui/tokens.css): Monaco measures a literal family list. */
export const EDITOR_FONT_FAMILY = "'SF Mono', ui-monospace, 'Cascadia Code', 'JetBrains Mono', Menlo, Consolas, 'Liberation Mono', 'DejaVu Sans Mono', monospace";

/** Monaco's theme for each app theme; Monaco has one theme for all its editors at a time. */
export const MONACO_THEMES = { light: 'stepwise-light', dark: 'stepwise-dark' } as const;

export const procedureLightTheme: Monaco.editor.IStandaloneThemeData = {
  base: 'vs',
  inherit: true,
  rules: [
    { token: 'keyword.step', foreground: '3730a3', fontStyle: 'bold' },
    { token: 'keyword.branch', foreground: '9d174d', fontStyle: 'bold' },
    { token: 'keyword.directive', foreground: 'c2410c', fontStyle: 'bold' },
    { token: 'keyword.collect', foreground: '0f766e', fontStyle: 'italic' },
    { token: 'function.action', foreground: 'b45309' },
    { token: 'variable.attribute', foreground: '0f766e' },
    { token: 'type.procedure', foreground: '6d28d9', fontStyle: 'underline' },
    { token: 'tag.goto', foreground: '2563eb' },
    { token: 'type.team', foreground: 'c2410c' },
    { token: 'string.tag', foreground: '64748b' },
    { token: 'string.example', foreground: '64748b' },
    { token: 'delimiter.frontmatter', foreground: '6b7280' },
    { token: 'delimiter.code', foreground: '6b7280' },
    { token: 'delimiter.inlinecode', foreground: '6b7280' },
    { token: 'invalid', foreground: 'dc2626', fontStyle: 'underline' },
  ],
  // The app's light surface and text (renderer/src/ui/tokens.css).
  // Line numbers and delimiters keep a 4.5:1 contrast (axe-core's check for text).
  colors: {
    'editor.background': '#ffffff',
    'editor.foreground': '#1a1f2b',
    'editorLineNumber.foreground': '#6b7280',
    'editorLineNumber.activeForeground': '#3a4150',
    'editor.lineHighlightBackground': '#f5f6f8',
    'editor.lineHighlightBorder': '#00000000',
    'editor.selectionBackground': '#dfe3ff',
    'editor.inactiveSelectionBackground': '#eceefc',
    'editorCursor.foreground': '#4f46e5',
    'editorGutter.background': '#ffffff',
    'editorWidget.background': '#ffffff',
    'editorWidget.border': '#e1e4e8',
    'editorHoverWidget.background': '#ffffff',
    'editorHoverWidget.border': '#e1e4e8',
    'editorSuggestWidget.background': '#ffffff',
    'editorSuggestWidget.border': '#e1e4e8',
    'editorSuggestWidget.selectedBackground': '#eef0ff',
    'focusBorder': '#6366f1',
    'scrollbarSlider.background': '#1a1f2b1f',
    'scrollbarSlider.hoverBackground': '#1a1f2b33',
    'scrollbarSlider.activeBackground': '#1a1f2b47',
    'editorOverviewRuler.border': '#00000000',
  },
};

export const procedureDarkTheme: Monaco.editor.IStandaloneThemeData = {
  base: 'vs-dark',
  inherit: true,
  rules: [
    { token: 'keyword.step', foreground: 'a5b0ff', fontStyle: 'bold' },
    { token: 'keyword.branch', foreground: 'f0abfc', fontStyle: 'bold' },
    { token: 'keyword.directive', foreground: 'fdba74', fontStyle: 'bold' },
    { token: 'keyword.collect', foreground: '5eead4', fontStyle: 'italic' },
    { token: 'function.action', foreground: 'fcd34d' },
    { token: 'variable.attribute', foreground: '5eead4' },
    { token: 'type.procedure', foreground: 'c4b5fd', fontStyle: 'underline' },
    { token: 'tag.goto', foreground: '93c5fd' },
    { token: 'type.team', foreground: 'fdba74' },
    { token: 'string.tag', foreground: '94a3b8' },
    { token: 'string.example', foreground: '94a3b8' },
    { token: 'delimiter.frontmatter', foreground: '8b92a0' },
    { token: 'delimiter.code', foreground: '8b92a0' },
    { token: 'delimiter.inlinecode', foreground: '8b92a0' },
    { token: 'invalid', foreground: 'f87171', fontStyle: 'underline' },
  ],
  // The app's dark surface and text (renderer/src/ui/tokens.css).
  colors: {
    'editor.background': '#16181d',
    'editor.foreground': '#e6e8ec',
    'editorLineNumber.foreground': '#8b92a0',
    'editorLineNumber.activeForeground': '#c9ced6',
    'editor.lineHighlightBackground': '#1d2026',
    'editor.lineHighlightBorder': '#00000000',
    'editor.selectionBackground': '#33386b',
    'editor.inactiveSelectionBackground': '#262a45',
    'editorCursor.foreground': '#a5b0ff',
    'editorGutter.background': '#16181d',
    'editorWidget.background': '#1d2026',
    'editorWidget.border': '#2a2e36',
    'editorHoverWidget.background': '#1d2026',
    'editorHoverWidget.border': '#2a2e36',
    'editorSuggestWidget.background': '#1d2026',
    'editorSuggestWidget.border': '#2a2e36',
    'editorSuggestWidget.selectedBackground': '#252a3d',
    'focusBorder': '#8b8ff8',
    'scrollbarSlider.background': '#e6e8ec1f',
    'scrollbarSlider.hoverBackground': '#e6e8ec33',
    'scrollbarSlider.activeBackground': '#e6e8ec47',
    'editorOverviewRuler.border': '#00000000',
  },
};
