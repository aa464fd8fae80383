// One preview pane's session: start it on a target, follow its events, send, stop, reset; closed
// when the pane goes away. Errors are kept for the pane to show (no model: a link to Settings;
// warnings: "Run anyway").
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiCallError, type ApiClient, type PreviewTarget } from '../../../shared/api';
import { applyPaneEvent, paneFromSession, type PaneEvent, type PaneState } from './pane-state';

export type TargetChoice = 'text' | 'draft' | 'live' | 'workspace';

export interface PaneProblem {
  code: string;
  message: string;
  /** The text has warnings only: it may run anyway. */
  canRunAnyway: boolean;
}

/** The pane's controls, as typed: attributes as JSON, the connectors' mode and world, the agent's model. */
export interface PaneOptions {
  attributes: string;
  connectors: 'mock' | 'live';
  world: string;
  agentModel: string;
}

export const DEFAULT_OPTIONS: PaneOptions = { attributes: '', connectors: 'mock', world: '', agentModel: '' };

/** The starting attributes typed as a JSON object; a message naming the problem otherwise. */
export function parseAttributes(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  if (!text.trim()) return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `The starting attributes are not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'The starting attributes must be a JSON object, like {"order_number": "1043"}.' };
  return { ok: true, value: value as Record<string, unknown> };
}

export interface PreviewPaneHandle {
  options: PaneOptions;
  setOptions(options: PaneOptions): void;
  choice: TargetChoice;
  setChoice(choice: TargetChoice): void;
  state: PaneState | null;
  problem: PaneProblem | null;
  starting: boolean;
  start(options?: { runAnyway?: boolean }): Promise<void>;
  send(text: string): void;
  stop(): void;
  reset(): void;
  /** Reopens a stored preview conversation in this pane, with its trace, on the text it ran on. */
  open(conversationId: number): void;
  /** Saves the conversation as a simulation of its Procedure; resolves with where it went, or null (refused: the problem is shown). */
  saveAsSimulation(name: string): Promise<{ procedure: string; name: string } | null>;
}

export function targetFor(choice: TargetChoice, name: string, text: string | null): PreviewTarget {
  switch (choice) {
    case 'text':
      return text === null ? { kind: 'draft', name } : { kind: 'text', name, text };
    case 'draft':
      return { kind: 'draft', name };
    case 'live':
      return { kind: 'version', name, version: 'live' };
    case 'workspace':
      return { kind: 'workspace' };
  }
}

export function usePreviewPane(api: ApiClient, name: string, getText: (() => string) | null, initial: TargetChoice): PreviewPaneHandle {
  const [choice, setChoice] = useState<TargetChoice>(initial);
  const [state, setState] = useState<PaneState | null>(null);
  const [problem, setProblem] = useState<PaneProblem | null>(null);
  const [starting, setStarting] = useState(false);
  const [options, setOptions] = useState<PaneOptions>(DEFAULT_OPTIONS);
  const sessionId = useRef<string | null>(null);

  const fail = useCallback((caught: unknown) => {
    const code = caught instanceof ApiCallError ? caught.code : 'internal';
    const message = caught instanceof Error ? caught.message : String(caught);
    setProblem({ code, message, canRunAnyway: code === 'invalid' && message.includes('Run anyway') });
  }, []);

  useEffect(() => {
    const apply = (id: string, event: PaneEvent) => {
      if (id === sessionId.current) setState((current) => (current && current.sessionId === id ? applyPaneEvent(current, event) : current));
    };
    const stops = [
      api.on('preview.reply', (payload) => apply(payload.sessionId, { kind: 'reply', text: payload.text, withdrawn: payload.withdrawn })),
      api.on('preview.trace', (payload) => apply(payload.sessionId, { kind: 'trace', event: payload.event })),
      api.on('preview.status', (payload) => apply(payload.sessionId, { kind: 'status', status: payload.status })),
    ];
    return () => stops.forEach((stop) => stop());
  }, [api]);

  // The session ends with the pane (its conversation stays stored).
  useEffect(
    () => () => {
      if (sessionId.current) void api['preview.close']({ sessionId: sessionId.current }).catch(() => undefined);
    },
    [api],
  );

  const start = useCallback(
    async (how: { runAnyway?: boolean } = {}) => {
      const attributes = parseAttributes(options.attributes);
      if (!attributes.ok) return setProblem({ code: 'invalid', message: attributes.message, canRunAnyway: false });
      setStarting(true);
      setProblem(null);
      try {
        const old = sessionId.current;
        const session = await api['preview.start']({
          target: targetFor(choice, name, getText ? getText() : null),
          attributes: attributes.value as Record<string, string>,
          connectors: options.connectors === 'live' ? { mode: 'live' } : { mode: 'mock', ...(options.world.trim() ? { world: options.world.trim() } : {}) },
          ...(options.agentModel.trim() ? { agentModel: options.agentModel.trim() } : {}),
          runAnyway: how.runAnyway ?? false,
        });
        sessionId.current = session.sessionId;
        setState(paneFromSession(session));
        if (old) void api['preview.close']({ sessionId: old }).catch(() => undefined);
      } catch (caught) {
        fail(caught);
      } finally {
        setStarting(false);
      }
    },
    [api, choice, name, getText, fail, options],
  );

  const send = useCallback(
    (text: string) => {
      const id = sessionId.current;
      if (!id) return;
      api['preview.send']({ sessionId: id, text }).then(
        (turn) => setState((current) => (current && current.sessionId === id ? { ...current, status: turn.status } : current)),
        fail,
      );
    },
    [api, fail],
  );

  const stop = useCallback(() => {
    if (sessionId.current) api['preview.stop']({ sessionId: sessionId.current }).catch(fail);
  }, [api, fail]);

  const reset = useCallback(() => {
    const id = sessionId.current;
    if (!id) return;
    api['preview.reset']({ sessionId: id }).then((session) => {
      sessionId.current = session.sessionId;
      setState(paneFromSession(session));
    }, fail);
  }, [api, fail]);

  const open = useCallback(
    (conversationId: number) => {
      setProblem(null);
      api['preview.open']({ conversationId }).then((session) => {
        const old = sessionId.current;
        sessionId.current = session.sessionId;
        setState(paneFromSession(session));
        if (old) void api['preview.close']({ sessionId: old }).catch(() => undefined);
      }, fail);
    },
    [api, fail],
  );

  const saveAsSimulation = useCallback(
    async (simulation: string) => {
      const conversationId = state?.conversationId;
      if (!conversationId) return null;
      try {
        return await api['preview.saveAsSimulation']({ conversationId, name: simulation });
      } catch (caught) {
        fail(caught);
        return null;
      }
    },
    [api, state?.conversationId, fail],
  );

  return { options, setOptions, choice, setChoice, state, problem, starting, start, send, stop, reset, open, saveAsSimulation };
}
