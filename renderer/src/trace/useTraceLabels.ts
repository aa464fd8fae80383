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

async function fetchText(api: ApiClient, name: string, version: number | 'draft' | 'live'): Promise<string | null> {
  try {
    if (typeof version === 'number') return (await api['procedures.version']({ name, version })).text;
    const detail = await api['procedures.get']({ name });
    if (version === 'live' && detail.live) return (await api['procedures.version']({ name, version: detail.live.version })).text;
    return detail.draftText;
  } catch {
    return null;
  }
}

export function useTraceLabels(api: ApiClient, trace: readonly { type: string; payload: Record<string, unknown> }[], texts: TraceTexts): TraceLabels {
  const [fetched, setFetched] = useState<ReadonlyMap<string, string | null>>(new Map());
  const knownName = texts.known?.name ?? null;
  const mainName = texts.main?.name ?? null;
  const mainVersion = texts.main?.version ?? null;
  const named = proceduresNamed(trace);
  const wanted = [...(mainName && mainName !== knownName ? [mainName] : []), ...named.filter((name) => name !== knownName && name !== mainName)];
  const missing = wanted.filter((name) => !fetched.has(name));
  const key = missing.join('\u0000');

  useEffect(() => {
    if (!key) return;
    let live = true;
    const names = key.split('\u0000');
    void Promise.all(names.map(async (name) => [name, await fetchText(api, name, name === mainName && mainVersion !== null ? mainVersion : name === mainName ? 'draft' : texts.others)] as const)).then((entries) => {
      if (live) setFetched((current) => new Map([...current, ...entries]));
    });
    return () => {
      live = false;
    };
  }, [api, key, mainName, mainVersion, texts.others]);

  const knownText = texts.known?.text ?? null;
  return useMemo(() => {
    const entries: [string, string][] = [];
    if (knownName && knownText !== null) entries.push([knownName, knownText]);
    for (const [name, text] of fetched) if (text !== null && name !== knownName) entries.push([name, text]);
    return traceLabels(entries);
  }, [knownName, knownText, fetched]);
}
