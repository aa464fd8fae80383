// Completion after `@` (connectors and their actions, handoff, end, switch, tag), after `{`
// (attributes), after `[[` (Procedures) and `[[#` (steps of this Procedure). Pure: the Monaco
// adapter turns the result into suggestions.
import type { LanguageContext } from '../../../shared/api';
import type { ProcedureDocument } from '../../../shared/procedure';

export type CompletionKind = 'action' | 'directive' | 'attribute' | 'procedure' | 'step' | 'team';

export interface CompletionItem {
  label: string;
  insertText: string;
  kind: CompletionKind;
  detail: string;
  documentation?: string;
}

export interface Completions {
  /** Offset where the text to replace starts (just after the trigger). */
  from: number;
  items: CompletionItem[];
}

const DIRECTIVES: CompletionItem[] = [
  { label: 'handoff', insertText: 'handoff ', kind: 'directive', detail: 'Hand the conversation to a human team', documentation: '`@handoff Claims team` or `@handoff Claims team: an internal note`.' },
  { label: 'end', insertText: 'end', kind: 'directive', detail: 'The Procedure is complete', documentation: 'A sub-procedure returns to its caller.' },
  { label: 'switch', insertText: 'switch [[', kind: 'directive', detail: 'Leave for another Procedure, with no return' },
  { label: 'tag', insertText: 'tag ', kind: 'directive', detail: 'Label the conversation for reporting' },
];

/** Whether the offset sits inside a fenced code block (where nothing is completed). */
function inCode(document: ProcedureDocument, line: number): boolean {
  const inBlocks = (blocks: ProcedureDocument['preamble']): boolean =>
    blocks.some((block) => {
      if (block.kind === 'code') return line > block.span.start.line && line <= block.span.end.line;
      if (block.kind === 'paragraph') return inBlocks(block.children);
      return block.branches.some((branch) => inBlocks(branch.body));
    });
  if (inBlocks(document.preamble)) return true;
  return document.steps.some((step) => line >= step.span.start.line && line <= step.span.end.line && inBlocks(step.body));
}

export function completionsAt(text: string, offset: number, document: ProcedureDocument, context: LanguageContext | null): Completions | null {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const line = text.slice(0, lineStart).split('\n').length;
  const header = document.frontMatter?.header.span;
  if (header && line <= header.end.line) return null;
  if (inCode(document, line)) return null;
  // Inside an inline code span (an odd number of backticks before the cursor): Python, not prose.
  if ((before.match(/`/g)?.length ?? 0) % 2 === 1) return null;

  let match = /\[\[#([^\]]*)$/.exec(before);
  if (match) {
    const items = document.steps
      .filter((step) => step.title)
      .map((step): CompletionItem => ({ label: step.title, insertText: `${step.title}]]`, kind: 'step', detail: `Step on line ${step.span.start.line}` }));
    return { from: offset - match[1]!.length, items };
  }
  match = /\[\[([^\]#]*)$/.exec(before);
  if (match) {
    const self = document.frontMatter?.header.name;
    const items = (context?.procedures ?? [])
      .filter((procedure) => procedure.name !== self)
      .map((procedure): CompletionItem => ({
        label: procedure.name,
        insertText: `${procedure.name}]]`,
        kind: 'procedure',
        detail: procedure.subProcedure ? 'Sub-procedure' : 'Procedure',
        ...(procedure.description || procedure.trigger ? { documentation: (procedure.description ?? procedure.trigger)! } : {}),
      }));
    return { from: offset - match[1]!.length, items };
  }
  match = /(?:^|[^\\])\{([A-Za-z_]\w*)?$/.exec(before);
  if (match) {
    const items = (document.frontMatter?.header.attributes ?? []).map(
      (attribute): CompletionItem => ({
        label: attribute.name,
        insertText: `${attribute.name}}`,
        kind: 'attribute',
        detail: attribute.type === 'enum' && attribute.values ? `enum: ${attribute.values.join(', ')}` : attribute.type,
        ...(attribute.description ? { documentation: attribute.description } : {}),
      }),
    );
    return { from: offset - (match[1]?.length ?? 0), items };
  }
  match = /@handoff\s+([^:.;!?]*)$/.exec(before);
  if (match) {
    const items = (context?.teams ?? []).map((team): CompletionItem => ({ label: team.name, insertText: team.name, kind: 'team', detail: 'Team', ...(team.description ? { documentation: team.description } : {}) }));
    return { from: offset - match[1]!.length, items };
  }
  match = /(?:^|[^\w\\])@([\w.]*)$/.exec(before);
  if (match) {
    const actions = (context?.connectors ?? []).flatMap((connector) =>
      connector.actions.map(
        (action): CompletionItem => ({
          label: `${connector.name}.${action.name}`,
          insertText: `${connector.name}.${action.name}`,
          kind: 'action',
          detail: `${connector.name} connector${action.confirm ? ' · asks the customer to confirm' : ''}`,
          documentation: action.description,
        }),
      ),
    );
    return { from: offset - match[1]!.length, items: [...actions, ...DIRECTIVES] };
  }
  return null;
}
