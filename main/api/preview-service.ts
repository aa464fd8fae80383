// The preview calls of the API: sessions over the conversation runtime (built by the app from the
// one engine assembly and handed in here, since the API layer does not build runtimes), the model
// from Settings, and past preview conversations read back from the workspace.
import type { CallArgs, CallOutput, PreviewTarget, PreviewTraceEvent } from '../../shared/api';
import { PreviewTargetSchema } from '../../shared/api';
import { ModelClient, type ModelCaller } from '../model/client';
import type { ModelSettings } from '../model/settings';
import { loadModelSettings } from '../model/workspace-settings';
import type { SecretStore } from '../secrets/secret-store';
import { ServiceError } from '../services/errors';
import type { Workspace } from '../store/workspace';
import type { EventHub } from './events';
import { PreviewSessionRun, type PreviewRuntime, type SessionSetup } from './preview-sessions';
import { draftSimulation } from './preview-simulation';
import { checkTargetText, resolveTarget, textVersion, type ResolvedTarget } from './preview-targets';

/** Builds a preview's runtime (main/assembly/preview-engine.ts, through the app's engine). */
export type PreviewRuntimeFactory = (options: {
  subject: ResolvedTarget & { meta: Record<string, unknown> };
  model: ModelCaller;
  connectors: { mode: 'mock'; world?: string } | { mode: 'live'; secrets: SecretStore };
}) => PreviewRuntime;

export interface PreviewDeps {
  workspace: Workspace;
  hub: EventHub;
  secrets: SecretStore;
  runtime: PreviewRuntimeFactory;
  modelClient?: (settings: ModelSettings) => ModelCaller;
}

/** The first trace event of a stored preview conversation (main/assembly/preview-engine.ts). */
const PREVIEW_STARTED = 'preview_started';
const MAX_SESSIONS = 50;

export function previewHandlers(deps: PreviewDeps) {
  const sessions = new Map<string, PreviewSessionRun>();
  const sessionOf = (sessionId: string) => {
    const session = sessions.get(sessionId);
    if (!session) throw new ServiceError('not-found', 'This preview has ended (the app restarted or it was closed): start a new one.');
    return session;
  };

  async function model(agentModel: string | undefined): Promise<ModelCaller> {
    const settings = await loadModelSettings(deps.workspace, deps.secrets, {});
    if (!settings.apiKey) throw new ServiceError('no-model', 'No model is configured for the agent: add an API key in Settings to talk to a Procedure.');
    const chosen = agentModel ? { ...settings, models: { ...settings.models, agent: agentModel } } : settings;
    return (deps.modelClient ?? ((s: ModelSettings) => new ModelClient(s)))(chosen);
  }

  async function open(setup: SessionSetup, input: CallArgs<'preview.start'>, resolved: ResolvedTarget): Promise<PreviewSessionRun> {
    if (sessions.size >= MAX_SESSIONS) throw new ServiceError('conflict', `${MAX_SESSIONS} previews are open: close some before starting another.`);
    const connectors = input.connectors;
    if (connectors.mode === 'mock' && connectors.world !== undefined && !deps.workspace.worlds.get(connectors.world)) {
      throw new ServiceError('not-found', `There is no mock world "${connectors.world}" in this workspace.`);
    }
    const base = await model(input.agentModel);
    let session: PreviewSessionRun | null = null;
    const meta = { target: storedTarget(input.target), procedure: setup.procedure, text: setup.procedureText, connectors: connectors.mode, ...(connectors.mode === 'mock' && connectors.world ? { world: connectors.world } : {}), ...(input.agentModel ? { agentModel: input.agentModel } : {}) };
    const runtime = deps.runtime({
      subject: { ...resolved, meta },
      model: PreviewSessionRun.abortable(base, () => session),
      connectors: connectors.mode === 'live' ? { mode: 'live', secrets: deps.secrets } : { mode: 'mock', ...(connectors.world ? { world: connectors.world } : {}) },
    });
    const problems = setup.existing ? [] : runtime.attributeProblems(input.attributes);
    if (problems.length > 0) {
      await runtime.close();
      throw new ServiceError('invalid', `The starting attributes do not fit "${setup.procedure}":\n${problems.map((p) => `  ${p}`).join('\n')}`);
    }
    session = new PreviewSessionRun(setup, runtime, deps.hub);
    try {
      if (!setup.existing) await session.start(setup.procedure, input.attributes);
    } catch (error) {
      await session.close();
      throw error;
    }
    sessions.set(session.id, session);
    return session;
  }

  async function start(input: CallArgs<'preview.start'>): Promise<PreviewSessionRun> {
    const resolved = resolveTarget(deps.workspace, input.target);
    const warnings = resolved.procedure ? checkTargetText(deps.workspace, resolved.procedure, input.runAnyway) : [];
    return open({ target: input.target, procedure: resolved.procedure?.name ?? null, procedureText: resolved.procedure?.text ?? null, warnings }, input, resolved);
  }

  // What each session was started with, to reset it the same way.
  const inputs = new WeakMap<PreviewSessionRun, CallArgs<'preview.start'>>();

  return {
    'preview.start': async (input: CallArgs<'preview.start'>): Promise<CallOutput<'preview.start'>> => {
      const session = await start(input);
      inputs.set(session, input);
      return session.view();
    },

    'preview.send': async ({ sessionId, text }: CallArgs<'preview.send'>): Promise<CallOutput<'preview.send'>> => {
      const session = sessionOf(sessionId);
      if (!text.trim()) throw new ServiceError('invalid', 'The message is empty.');
      return await session.send(text);
    },

    'preview.stop': ({ sessionId }: CallArgs<'preview.stop'>): CallOutput<'preview.stop'> => sessionOf(sessionId).stop(),

    'preview.reset': async ({ sessionId }: CallArgs<'preview.reset'>): Promise<CallOutput<'preview.reset'>> => {
      const old = sessionOf(sessionId);
      const input = inputs.get(old) ?? { target: old.setup.target, attributes: {}, connectors: { mode: 'mock' as const }, runAnyway: true };
      const session = await start({ ...input, runAnyway: true });
      inputs.set(session, input);
      sessions.delete(sessionId);
      await old.close();
      return session.view();
    },

    'preview.close': async ({ sessionId }: CallArgs<'preview.close'>): Promise<CallOutput<'preview.close'>> => {
      const session = sessions.get(sessionId);
      sessions.delete(sessionId);
      await session?.close();
      return { ok: true };
    },

    'preview.list': async ({ limit }: CallArgs<'preview.list'>): Promise<CallOutput<'preview.list'>> => {
      const store = deps.workspace.conversationStore;
      const conversations = await store.conversations.list({ kind: 'preview', limit });
      return await Promise.all(
        conversations.map(async (conversation) => {
          const meta = startedMeta((await store.traces.events(conversation.id, { limit: 1 }))[0]);
          const messages = (await store.conversations.messages(conversation.id)).filter((m) => m.role === 'customer' || m.role === 'agent');
          return { conversationId: conversation.id, startedAt: conversation.startedAt, target: meta?.target ?? null, procedure: meta?.procedure ?? null, messages: messages.length, status: conversation.status };
        }),
      );
    },

    'preview.world': async ({ conversationId }: CallArgs<'preview.world'>): Promise<CallOutput<'preview.world'>> => {
      const conversation = await deps.workspace.conversationStore.conversations.get(conversationId);
      if (!conversation || conversation.kind !== 'preview') throw new ServiceError('not-found', `There is no preview conversation ${conversationId}.`);
      const final = deps.workspace.worlds.final(conversationId);
      return final ? { startedFrom: final.startedFrom, world: final.world as Record<string, unknown> } : null;
    },

    'preview.saveAsSimulation': async ({ conversationId, name }: CallArgs<'preview.saveAsSimulation'>): Promise<CallOutput<'preview.saveAsSimulation'>> => {
      const store = deps.workspace.conversationStore;
      const conversation = await store.conversations.get(conversationId);
      if (!conversation || conversation.kind !== 'preview') throw new ServiceError('not-found', `There is no preview conversation ${conversationId}.`);
      const events = await store.traces.events(conversationId, { limit: 100_000 });
      const meta = startedMeta(events[0]);
      let drafted: ReturnType<typeof draftSimulation>;
      try {
        drafted = draftSimulation({ procedure: meta?.procedure ?? null, connectors: meta?.connectors === 'live' ? 'live' : 'mock', ...(meta?.world ? { world: meta.world } : {}), trace: events.slice(meta ? 1 : 0) });
      } catch (error) {
        throw new ServiceError('invalid', (error as Error).message);
      }
      const record = deps.workspace.procedures.get(drafted.procedure);
      if (!record) throw new ServiceError('not-found', `There is no Procedure called "${drafted.procedure}" to attach the simulation to.`);
      const saved = deps.workspace.transaction(() => {
        if (deps.workspace.simulations.get(record.name, name)) throw new ServiceError('conflict', `"${record.name}" already has a simulation called "${name}": nothing was saved. Choose another name.`);
        return deps.workspace.simulations.save(record.name, name, drafted.definition);
      });
      return { procedure: saved.procedure, name: saved.name };
    },

    'preview.open': async ({ conversationId }: CallArgs<'preview.open'>): Promise<CallOutput<'preview.open'>> => {
      const store = deps.workspace.conversationStore;
      const conversation = await store.conversations.get(conversationId);
      if (!conversation || conversation.kind !== 'preview') throw new ServiceError('not-found', `There is no preview conversation ${conversationId}.`);
      const events = await store.traces.events(conversationId, { limit: 100_000 });
      const meta = startedMeta(events[0]);
      if (!meta?.target) throw new ServiceError('not-found', `Preview conversation ${conversationId} was stored without what it ran on, so it cannot be reopened.`);
      // It carries on with the very text it ran on, whatever the draft or the live version is now.
      const ranOn = meta.procedure && meta.text !== null ? { name: meta.procedure, text: meta.text } : null;
      const target: PreviewTarget = meta.target.kind === 'text' && ranOn ? { kind: 'text', ...ranOn } : meta.target;
      const resolved: ResolvedTarget = ranOn ? { procedure: { ...ranOn, version: textVersion(ranOn.text) }, draft: meta.target.kind !== 'version' } : resolveTarget(deps.workspace, target);
      const trace: PreviewTraceEvent[] = events.slice(1).map((event, index) => ({ index, type: event.type, stepId: event.stepId, payload: event.payload }));
      const messages = (await store.conversations.messages(conversationId)).filter((m) => m.role === 'customer' || m.role === 'agent').map((m) => ({ role: m.role as 'customer' | 'agent', text: m.content }));
      const outcome = [...trace].reverse().find((event) => event.type === 'handoff' || event.type === 'escalation');
      const input = { target, attributes: {}, connectors: { mode: meta.connectors === 'live' ? ('live' as const) : ('mock' as const) }, runAnyway: true };
      const session = await open(
        {
          target,
          procedure: meta.procedure,
          procedureText: meta.text,
          warnings: [],
          existing: { conversationId, transcript: messages, trace, status: conversation.status, outcome: outcome ? { kind: outcome.type, team: typeof outcome.payload.team === 'string' ? outcome.payload.team : null, reason: String(outcome.payload.reason ?? '') } : null },
        },
        input,
        resolved,
      );
      inputs.set(session, input);
      return session.view();
    },
  };
}

/** The target as stored: the editor's text is kept once, beside it, not twice. */
function storedTarget(target: PreviewTarget): PreviewTarget {
  return target.kind === 'text' ? { kind: 'text', name: target.name, text: '' } : target;
}

function startedMeta(event: { type: string; payload: Record<string, unknown> } | undefined): { target: PreviewTarget; procedure: string | null; text: string | null; connectors: string; world?: string } | null {
  if (!event || event.type !== PREVIEW_STARTED) return null;
  const target = PreviewTargetSchema.safeParse(event.payload.target);
  if (!target.success) return null;
  const { procedure, text, connectors, world } = event.payload;
  return { target: target.data, procedure: typeof procedure === 'string' ? procedure : null, text: typeof text === 'string' ? text : null, connectors: String(connectors), ...(typeof world === 'string' ? { world } : {}) };
}
