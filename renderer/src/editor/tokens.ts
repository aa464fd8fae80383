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

export const procedureTheme: Monaco.editor.IStandaloneThemeData = {
  base: 'vs',
  inherit: true,
  rules: [
    { token: 'keyword.step', foreground: '1f4fb3', fontStyle: 'bold' },
    { token: 'keyword.branch', foreground: 'a626a4', fontStyle: 'bold' },
    { token: 'keyword.directive', foreground: 'c2410c', fontStyle: 'bold' },
    { token: 'keyword.collect', foreground: '0f766e', fontStyle: 'italic' },
    { token: 'function.action', foreground: 'b45309' },
    { token: 'variable.attribute', foreground: '0f766e' },
    { token: 'type.procedure', foreground: '6d28d9', fontStyle: 'underline' },
    { token: 'tag.goto', foreground: '2563eb' },
    { token: 'type.team', foreground: 'c2410c' },
    { token: 'string.tag', foreground: '64748b' },
    { token: 'string.example', foreground: '64748b' },
    { token: 'delimiter.frontmatter', foreground: '94a3b8' },
    { token: 'delimiter.code', foreground: '94a3b8' },
    { token: 'delimiter.inlinecode', foreground: '94a3b8' },
    { token: 'invalid', foreground: 'dc2626', fontStyle: 'underline' },
  ],
  colors: {},
};
