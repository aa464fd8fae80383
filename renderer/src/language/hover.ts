// Hover text that explains a reference: an attribute, an action, a sub-procedure, a move to a step,
// a handoff, a switch, a tag or the end. Pure: returns Markdown and the span it covers.
import type { LanguageContext } from '../../../shared/api';
import type { InlineRef, ProcedureDocument, Span } from '../../../shared/procedure';
import { walkDocument } from '../../../shared/procedure/walk';

export interface Hover {
  markdown: string;
  span: Span;
}

export function refAt(document: ProcedureDocument, offset: number): InlineRef | null {
  for (const event of walkDocument(document)) {
    if (event.kind !== 'ref') continue;
    const { span } = event.ref;
    if (offset >= span.start.offset && offset < span.end.offset) return event.ref;
  }
  return null;
}

export function hoverAt(document: ProcedureDocument, offset: number, context: LanguageContext | null): Hover | null {
  const ref = refAt(document, offset);
  if (!ref) return null;
  return { markdown: explain(ref, document, context), span: ref.span };
}

function explain(ref: InlineRef, document: ProcedureDocument, context: LanguageContext | null): string {
  const header = document.frontMatter?.header;
  switch (ref.kind) {
    case 'attribute': {
      const root = ref.name.split('.')[0]!;
      const decl = header?.attributes.find((attribute) => attribute.name === root);
      const use = ref.collects ? 'The agent **collects** it here.' : 'Read here.';
      if (!decl) return `**{${ref.name}}**: an attribute this Procedure does not declare. Declare \`${root}\` under \`attributes:\` in the front matter.`;
      const type = decl.type === 'enum' && decl.values ? `enum (${decl.values.join(', ')})` : decl.type;
      return [`**{${ref.name}}**: attribute, \`${type}\`${decl.required ? ', required' : ''}.`, decl.description ?? '', use].filter(Boolean).join('\n\n');
    }
    case 'action': {
      const connector = context?.connectors.find((candidate) => candidate.name === ref.connector);
      const action = connector?.actions.find((candidate) => candidate.name === ref.action);
      if (!context) return `**@${ref.connector}.${ref.action}**: an action of the ${ref.connector} connector.`;
      if (!connector) return `**@${ref.connector}.${ref.action}**: there is no connector called "${ref.connector}" in this workspace.`;
      if (!action) return `**@${ref.connector}.${ref.action}**: the ${ref.connector} connector has no action "${ref.action}". It has: ${connector.actions.map((a) => a.name).join(', ')}.`;
      return [
        `**@${ref.connector}.${ref.action}**: action of the *${connector.name}* connector. The runtime runs it; only actions the Procedure names can run.`,
        action.description,
        action.confirm ? 'It changes something, so the customer confirms before it runs.' : '',
      ]
        .filter(Boolean)
        .join('\n\n');
    }
    case 'subprocedure': {
      const target = context?.procedures.find((candidate) => candidate.name === ref.name);
      const about = target ? (target.description ?? target.trigger ?? '') : context ? 'There is no Procedure with this name in the workspace.' : '';
      return [`**[[${ref.name}]]**: runs ${target?.subProcedure ? 'the sub-procedure' : 'the Procedure'} *${ref.name}*, then comes back here.`, about].filter(Boolean).join('\n\n');
    }
    case 'goto': {
      const exists = document.steps.some((step) => step.title.toLowerCase() === ref.step.toLowerCase());
      const kind = ref.final ? 'Moves to' : 'May move to (when needed)';
      return `**[[#${ref.step}]]**: ${kind} the step "${ref.step}" of this Procedure.${exists ? '' : ' There is no step with this title.'}`;
    }
    case 'handoff': {
      const team = context?.teams.find((candidate) => candidate.name === ref.team);
      return [
        `**@handoff ${ref.team}**: hands the conversation to the human team *${ref.team}*, with a summary.${ref.final ? ' Nothing after it runs.' : ''}`,
        team?.description ?? '',
        ref.note ? `Internal note for the team: ${ref.note}` : '',
      ]
        .filter(Boolean)
        .join('\n\n');
    }
    case 'switch':
      return `**@switch [[${ref.name}]]**: leaves this Procedure for *${ref.name}*, with no return.`;
    case 'tag':
      return `**@tag ${ref.tag}**: labels the conversation "${ref.tag}" for reporting.`;
    case 'end':
      return header?.subProcedure
        ? '**@end**: this sub-procedure is complete and returns to the Procedure that called it.'
        : '**@end**: the Procedure is complete.';
  }
}
