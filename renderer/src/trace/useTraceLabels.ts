// The labels a trace's timeline reads: the text the conversation ran on when the caller has it (a
// preview session carries it), and the texts of the other Procedures the trace enters (sub-procedures,
// switches, a routed workspace), fetched once each. A text that cannot be fetched (deleted, renamed)
// leaves its ids to show as unknown.
import { useEffect, useMemo, useState } from 'react';
import type { ApiClient } from '../../../shared/api';
import { proceduresNamed, traceLabels, type TraceLabels } from './trace-labels';

export interface TraceTexts {
  /** The conversation's own Procedure and the exact text it ran on, when known. */
  known?: { name: string; text: string } | null;
  /** The conversation's own Procedure when its text is to be fetched: a published version, or null for the draft. */
  main?: { name: string; version: number | null } | null;
  /** Which text of any other Procedure to read: what the run would have loaded. */
  others: 'draft' | 'live';
}

/** One Procedure's text as the run would have loaded it; null when it cannot be had (deleted, renamed, no such version). */
export async function fetchText(api: Pick<ApiClient, 'procedures.get' | 'procedures.version'>, name: string, version: number | 'draft' | 'live'): Promise<string | null> {
  try {
    if (typeof version === 'number') return (await api['procedures.version']({ name, version })).text;
    const detail = await api['procedures.get']({ name });
    if (version === 'live' && detail.live) return (await api['procedures.version']({ name, version: detail.live.version })).text;
    return detail.draftText;
  } catch {
    return null;
  }
}

export interface TextRequest {
  name: string;
  version: number | 'draft' | 'live';
}

/** Fetched texts are kept by name and version: another run of the same Procedure may have used another one. */
export const requestKey = (request: TextRequest) => `${request.version}:${request.name}`;

/** The texts a trace needs beyond the known one: the conversation's own (unless known) and every other Procedure it enters, each once. */
export function textsWanted(trace: readonly { type: string; payload: Record<string, unknown> }[], texts: TraceTexts): TextRequest[] {
  const knownName = texts.known?.name ?? null;
  const main = texts.main ?? null;
  const names = [...(main && main.name !== knownName ? [main.name] : []), ...proceduresNamed(trace).filter((name) => name !== knownName && name !== main?.name)];
  return names.map((name) => ({ name, version: name === main?.name ? (main.version ?? 'draft') : texts.others }));
}

export function useTraceLabels(api: ApiClient, trace: readonly { type: string; payload: Record<string, unknown> }[], texts: TraceTexts): TraceLabels {
  const [fetched, setFetched] = useState<ReadonlyMap<string, string | null>>(new Map());
  const wanted = textsWanted(trace, texts);
  // String keys, so the effect and the labels change when what is wanted changes, not on every new trace array.
  const wantedKey = JSON.stringify(wanted);
  const missingKey = JSON.stringify(wanted.filter((request) => !fetched.has(requestKey(request))));

  useEffect(() => {
    const missing = JSON.parse(missingKey) as TextRequest[];
    if (missing.length === 0) return;
    let live = true;
    void Promise.all(missing.map(async (request) => [requestKey(request), await fetchText(api, request.name, request.version)] as const)).then((entries) => {
      if (live) setFetched((current) => new Map([...current, ...entries]));
    });
    return () => {
      live = false;
    };
  }, [api, missingKey]);

  const knownName = texts.known?.name ?? null;
  const knownText = texts.known?.text ?? null;
  return useMemo(() => {
    const entries: [string, string][] = [];
    if (knownName && knownText !== null) entries.push([knownName, knownText]);
    for (const request of JSON.parse(wantedKey) as TextRequest[]) {
      const text = fetched.get(requestKey(request));
      if (typeof text === 'string') entries.push([request.name, text]);
    }
    return traceLabels(entries);
  }, [knownName, knownText, wantedKey, fetched]);
}
