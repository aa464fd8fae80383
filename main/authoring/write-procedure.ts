// The authoring model writes a whole Procedure through one forced tool call; the text is checked
// with `validate` and, while it has errors, sent back with the diagnostics to be repaired, up to a
// limit. What comes out is either valid or says exactly what is still wrong.
import type { MessageParam, TextBlockParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import type { Diagnostic } from '../../shared/procedure';
import type { ModelCaller } from '../model/client';
import type { CodeSandbox } from '../sandbox/types';
import { callForcedTool } from '../simulations/forced-tool';
import type { Workspace } from '../store/workspace';
import { checkProcedureText, describeDiagnostics } from './procedure-check';

export const WRITE_TOOL = 'write_procedure';

const tool: Tool = {
  name: WRITE_TOOL,
  description: 'The whole Procedure: front matter and steps, as Markdown.',
  input_schema: {
    type: 'object',
    properties: {
      text: { type: 'string', description: 'The complete Procedure text.' },
      summary: { type: 'string', description: 'One or two sentences on what you wrote or changed.' },
    },
    required: ['text', 'summary'],
    additionalProperties: false,
  },
};

const answerSchema = z.strictObject({
  text: z.string().min(1, 'the Procedure is empty').max(200_000),
  summary: z.string().trim().default(''),
});

export interface AuthoringServices {
  workspace: Workspace;
  model: ModelCaller;
  /** For the Python check of code steps and Python conditions. */
  sandbox: Pick<CodeSandbox, 'check'>;
}

export interface WrittenProcedure {
  text: string;
  summary: string;
  name: string | null;
  valid: boolean;
  /** What `validate` still reports (warnings and infos, or errors when not valid). */
  diagnostics: Diagnostic[];
  /** Model answers it took (1 when the first was valid). */
  attempts: number;
  /** The errors each repair was asked to fix. */
  repairs: string[];
}

export async function writeProcedure(
  services: AuthoringServices,
  request: { system: TextBlockParam[]; prompt: string; maxRepairs: number; replacing?: string },
): Promise<WrittenProcedure> {
  const messages: MessageParam[] = [{ role: 'user', content: request.prompt }];
  const repairs: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const answer = await callForcedTool(services.model, { role: 'author', system: request.system, messages, tool, schema: answerSchema, maxTokens: 8192 });
    const text = answer.text.endsWith('\n') ? answer.text : `${answer.text}\n`;
    const checked = await checkProcedureText(services.workspace, text, services.sandbox, request.replacing ? { replacing: request.replacing } : {});
    if (checked.valid || attempt > request.maxRepairs) {
      return { text, summary: answer.summary, name: checked.name, valid: checked.valid, diagnostics: checked.diagnostics, attempts: attempt, repairs };
    }
    const errors = describeDiagnostics(checked.diagnostics, text);
    repairs.push(errors);
    messages.push({ role: 'assistant', content: [{ type: 'text', text: `<procedure>\n${text}</procedure>` }] });
    messages.push({
      role: 'user',
      content: `validate found errors in that Procedure:\n${errors}\n\nFix every error and call ${WRITE_TOOL} again with the whole corrected Procedure. Keep everything else as it was.`,
    });
  }
}
