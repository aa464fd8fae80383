// Improves a failing simulation, or a Procedure, from written feedback. The change comes back as a
// proposal with a unified diff; nothing is saved until the user accepts it, and a proposal made
// against text that has changed since is refused rather than applied over the change.
import type { MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { createTwoFilesPatch, structuredPatch } from 'diff';
import { z } from 'zod';
import type { Diagnostic } from '../../shared/procedure';
import { simulationDefinitionSchema, type SimulationDefinition } from '../simulations/definition';
import { callForcedTool } from '../simulations/forced-tool';
import { StoreError } from '../store/errors';
import { contentHash } from '../store/hash';
import type { Workspace } from '../store/workspace';
import { LANGUAGE_GUIDE, workspaceBrief } from './language-guide';
import { writeProcedure, type AuthoringServices } from './write-procedure';

export type ImprovementTarget = { kind: 'procedure'; procedure: string } | { kind: 'simulation'; procedure: string; simulation: string };

export interface Proposal {
  target: ImprovementTarget;
  /** Content hash of the text the proposal was made from. */
  baseHash: string;
  before: string;
  after: string;
  /** Unified diff from before to after (empty when nothing changed). */
  patch: string;
  added: number;
  removed: number;
  summary: string;
  /** A Procedure proposal passes `validate`; a simulation proposal passes its schema. */
  valid: boolean;
  diagnostics: Diagnostic[];
}

const SIMULATION_TOOL = 'revise_simulation';
const simulationTool: Tool = {
  name: SIMULATION_TOOL,
  description: 'The whole revised simulation definition, and what you changed.',
  input_schema: {
    type: 'object',
    properties: { definition: { type: 'object' }, summary: { type: 'string' } },
    required: ['definition', 'summary'],
  },
};
const simulationAnswer = z.strictObject({ definition: simulationDefinitionSchema, summary: z.string().trim().default('') });

const definitionText = (definition: SimulationDefinition) => `${JSON.stringify(definition, null, 2)}\n`;

function diffOf(label: string, before: string, after: string): { patch: string; added: number; removed: number } {
  if (before === after) return { patch: '', added: 0, removed: 0 };
  let added = 0;
  let removed = 0;
  for (const hunk of structuredPatch(label, label, before, after, '', '', { context: 3 }).hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith('+')) added++;
      else if (line.startsWith('-')) removed++;
    }
  }
  return { patch: createTwoFilesPatch(`${label} (now)`, `${label} (proposed)`, before, after, '', '', { context: 3 }), added, removed };
}

/** What a failing run showed, for the model to take into account. */
function runContext(workspace: Workspace, runId: number | undefined): string {
  if (runId === undefined) return '';
  const run = workspace.simulations.requireRun(runId);
  const failed = run.checks.filter((check) => !check.passed).map((check) => `- ${check.name} (${check.party ?? 'agent'}): ${check.reason}`);
  const conversationId = run.details?.conversationId;
  const transcript = conversationId ? workspace.conversations.messages(conversationId).map((message) => `${message.role}: ${message.content}`) : [];
  return `<failing_run id="${runId}" status="${run.status}">\nFailed checks:\n${failed.join('\n') || '(none)'}\nTranscript:\n${transcript.join('\n')}\n</failing_run>`;
}

export async function proposeImprovement(services: AuthoringServices, target: ImprovementTarget, feedback: string, options: { runId?: number; maxRepairs?: number } = {}): Promise<Proposal> {
  const note = z.string().trim().min(1, 'write the feedback').max(20_000).parse(feedback);
  const { workspace } = services;
  const record = workspace.procedures.require(target.procedure);
  const context = runContext(workspace, options.runId);
  if (target.kind === 'procedure') {
    const written = await writeProcedure(services, {
      system: [
        { type: 'text', text: 'You revise a Procedure for an AI customer support agent, following the support team\'s feedback. Change only what the feedback asks for; keep the rest word for word. Answer with the write_procedure tool.' },
        { type: 'text', text: `The Procedure language:\n${LANGUAGE_GUIDE}` },
        { type: 'text', text: workspaceBrief(workspace, record.name) },
      ],
      prompt: [`<procedure>\n${record.draftText}</procedure>`, context, `<feedback>\n${note}\n</feedback>`, 'Write the whole revised Procedure.'].filter(Boolean).join('\n\n'),
      maxRepairs: options.maxRepairs ?? 3,
      replacing: record.name,
    });
    return { target, baseHash: record.draftHash, before: record.draftText, after: written.text, ...diffOf(record.name, record.draftText, written.text), summary: written.summary, valid: written.valid, diagnostics: written.diagnostics };
  }
  const simulation = workspace.simulations.get(target.procedure, target.simulation);
  if (!simulation) throw new StoreError(`"${target.procedure}" has no simulation called "${target.simulation}".`, 'not-found');
  const before = definitionText(simulation.definition);
  const messages: MessageParam[] = [
    {
      role: 'user',
      content: [`<procedure>\n${record.draftText}</procedure>`, `<simulation name="${simulation.name}">\n${before}</simulation>`, context, `<feedback>\n${note}\n</feedback>`].filter(Boolean).join('\n\n'),
    },
  ];
  const answer = await callForcedTool(services.model, {
    role: 'author',
    system: [
      {
        type: 'text',
        text: `You revise a test simulation of a Procedure for an AI support agent, following the feedback. A failing simulation may be wrong itself (a check that does not match the Procedure, a customer who cannot reach the path): fix what the feedback points at and keep the rest. Answer with the ${SIMULATION_TOOL} tool, giving the whole definition.`,
      },
    ],
    messages,
    tool: simulationTool,
    schema: simulationAnswer,
    repairs: options.maxRepairs ?? 2,
    maxTokens: 8192,
  });
  const after = definitionText(answer.definition);
  return { target, baseHash: contentHash(before), before, after, ...diffOf(simulation.name, before, after), summary: answer.summary, valid: true, diagnostics: [] };
}

/** Applies an accepted proposal: refused when it is not valid or the text changed since it was made. */
export function applyProposal(workspace: Workspace, proposal: Proposal): void {
  if (!proposal.valid) throw new StoreError('This proposal does not pass validate, so it was not applied.', 'invalid');
  workspace.transaction(() => {
    if (proposal.target.kind === 'procedure') {
      const record = workspace.procedures.require(proposal.target.procedure);
      if (record.draftHash !== proposal.baseHash) throw new StoreError(`The draft of "${record.name}" changed after the proposal was made; ask for a new one.`, 'conflict');
      workspace.procedures.saveDraft(record.name, proposal.after);
      return;
    }
    const simulation = workspace.simulations.get(proposal.target.procedure, proposal.target.simulation);
    if (!simulation) throw new StoreError(`"${proposal.target.procedure}" has no simulation called "${proposal.target.simulation}".`, 'not-found');
    if (contentHash(definitionText(simulation.definition)) !== proposal.baseHash) {
      throw new StoreError(`The simulation "${simulation.name}" changed after the proposal was made; ask for a new one.`, 'conflict');
    }
    workspace.simulations.save(proposal.target.procedure, proposal.target.simulation, JSON.parse(proposal.after));
  });
}
