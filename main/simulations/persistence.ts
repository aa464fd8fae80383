// Conversation persistence for a simulation run: the conversation is stored as kind "simulation",
// linked to its run and to the Procedure version it ran on; turns are saved like any other.
import type { ConversationPersistence, ConversationState, TraceEvent } from '../runtime/types';
import { WorkspacePersistence } from '../runtime/workspace-services';
import type { Workspace } from '../store/workspace';

export class SimulationPersistence implements ConversationPersistence {
  private readonly inner: WorkspacePersistence;

  constructor(
    private readonly workspace: Workspace,
    private readonly run: { runId: number; procedure: string; procedureHash: string },
  ) {
    this.inner = new WorkspacePersistence(workspace);
  }

  async create(): Promise<number> {
    const procedure = this.workspace.procedures.get(this.run.procedure);
    const conversation = await this.workspace.conversationStore.conversations.create({
      kind: 'simulation',
      simulationRunId: this.run.runId,
      procedureId: procedure?.id ?? null,
      procedureHash: this.run.procedureHash,
    });
    return conversation.id;
  }

  saveTurn(conversationId: number, state: ConversationState, newMessages: { role: 'customer' | 'agent'; text: string }[], trace: TraceEvent[]): Promise<void> {
    return this.inner.saveTurn(conversationId, state, newMessages, trace);
  }

  load(conversationId: number): Promise<ConversationState | null> {
    return this.inner.load(conversationId);
  }
}
