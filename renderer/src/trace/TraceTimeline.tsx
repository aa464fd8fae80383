// The trace timeline: every runtime event of a conversation in words, one row each, windowed (only
// the rows in view are in the DOM) so thousands of events scroll smoothly; the selected event's
// details below, and its raw JSON one click away. Shared by the preview and the simulations screen.
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Braces, FileText } from 'lucide-react';
import type { PreviewTraceEvent } from '../../../shared/api';
import { Badge, Button, costText, plural } from '../ui';
import { describeEvent, usageTotals } from './describe-event';
import { quoted } from './names';
import { NO_LABELS, proceduresOf, type TraceLabels } from './trace-labels';
import './trace.css';

export const TRACE_ROW_HEIGHT = 28;
const OVERSCAN = 8;

export interface TraceTimelineProps {
  events: readonly PreviewTraceEvent[];
  /** Called when a person picks an event (the preview selects its node and text). */
  onSelect?: (event: PreviewTraceEvent) => void;
  /** Events of this step only (a node clicked on the graph); null: all. */
  stepFilter?: string | null;
  /** Shows the filter with a way to clear it. */
  onClearFilter?: () => void;
  /** Trace index to mark (where two conversations part). */
  marked?: number | null;
  label?: string;
  /** The Procedures' own words for the ids the events name (useTraceLabels); without them, ids show as unknown. */
  labels?: TraceLabels;
}

/** A step filter in words: the step's title where some Procedure's labels know it. */
function stepWords(labels: TraceLabels, id: string): string {
  for (const procedure of labels.values()) {
    const words = procedure.nodes.get(id);
    if (words?.kind === 'step') return quoted(words.label, 40);
  }
  return id;
}

export function TraceTimeline({ events, onSelect, stepFilter = null, onClearFilter, marked = null, label = 'Trace', labels = NO_LABELS }: TraceTimelineProps) {
  const shown = useMemo(() => (stepFilter ? events.filter((event) => event.stepId === stepFilter) : events), [events, stepFilter]);
  // The Procedure each event happened in (by trace index): a sub-procedure's ids are its own.
  const procedures = useMemo(() => {
    const byIndex = new Map<number, string | null>();
    proceduresOf(events).forEach((name, position) => byIndex.set(events[position]!.index, name));
    return byIndex;
  }, [events]);
  const [selected, setSelected] = useState<number | null>(null);
  const [raw, setRaw] = useState(false);
  const viewport = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 400 });
  const pinned = useRef(true);

  // Follow the newest event while the person is at the bottom.
  useLayoutEffect(() => {
    const element = viewport.current;
    if (element && pinned.current) element.scrollTop = element.scrollHeight;
  }, [shown.length]);
  // Where two conversations part is brought into view when it is found (once per place), not left below the fold.
  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element || marked === null) return;
    const position = shown.findIndex((event) => event.index === marked);
    if (position < 0) return;
    const top = position * TRACE_ROW_HEIGHT;
    if (top >= element.scrollTop && top + TRACE_ROW_HEIGHT <= element.scrollTop + element.clientHeight) return;
    element.scrollTop = Math.max(0, top - element.clientHeight / 2);
    pinned.current = false;
    setScroll({ top: element.scrollTop, height: element.clientHeight });
    // Only when the marked place changes: the person may scroll away from it afterwards.
  }, [marked]);
  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setScroll({ top: element.scrollTop, height: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scroll.top / TRACE_ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scroll.top + scroll.height) / TRACE_ROW_HEIGHT) + OVERSCAN);
  const totals = useMemo(() => usageTotals(events), [events]);
  const chosen = selected === null ? undefined : events[selected]?.index === selected ? events[selected] : events.find((event) => event.index === selected);
  const chosenWords = chosen ? describeEvent(chosen, { labels, procedure: procedures.get(chosen.index) ?? null }) : null;

  return (
    <div className="trace" aria-label={label} role="region">
      <div className="trace-summary">
        <span>
          {plural(shown.length, 'event')}
          {stepFilter && (
            <>
              {' '}
              of {stepWords(labels, stepFilter)}{' '}
              {onClearFilter && (
                <Button size="sm" variant="ghost" onClick={onClearFilter}>
                  Show all
                </Button>
              )}
            </>
          )}
        </span>
        <span className="trace-usage" data-testid="trace-usage">
          {plural(totals.calls, 'model call')} · {plural(totals.inputTokens + totals.outputTokens, 'token')} · {costText(totals.costUsd, totals.calls, totals.unpriced)}
        </span>
      </div>
      <div
        className="trace-viewport"
        ref={viewport}
        role="list"
        aria-label={`${label} events`}
        tabIndex={0}
        onScroll={(event) => {
          const element = event.currentTarget;
          pinned.current = element.scrollTop + element.clientHeight >= element.scrollHeight - TRACE_ROW_HEIGHT;
          setScroll({ top: element.scrollTop, height: element.clientHeight });
        }}
      >
        <div style={{ height: shown.length * TRACE_ROW_HEIGHT, position: 'relative' }}>
          {shown.slice(first, last).map((event, offset) => (
            <TraceRow
              key={event.index}
              event={event}
              top={(first + offset) * TRACE_ROW_HEIGHT}
              selected={selected === event.index}
              marked={marked === event.index}
              labels={labels}
              procedure={procedures.get(event.index) ?? null}
              onPick={() => {
                setSelected(event.index);
                onSelect?.(event);
              }}
            />
          ))}
        </div>
      </div>
      {chosen && chosenWords && (
        <div className="trace-details" data-testid="trace-details">
          <div className="trace-details-head">
            <strong>{chosenWords.fullTitle}</strong>
            <Button size="sm" variant="ghost" icon={raw ? FileText : Braces} onClick={() => setRaw((on) => !on)}>
              {raw ? 'In words' : 'Raw'}
            </Button>
          </div>
          {raw ? (
            <pre className="trace-raw">{JSON.stringify({ type: chosen.type, stepId: chosen.stepId, payload: chosen.payload }, null, 2)}</pre>
          ) : (
            <dl className="trace-fields">
              {chosenWords.details.map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      )}
    </div>
  );
}

const TraceRow = memo(function TraceRow({ event, top, selected, marked, labels, procedure, onPick }: { event: PreviewTraceEvent; top: number; selected: boolean; marked: boolean; labels: TraceLabels; procedure: string | null; onPick: () => void }) {
  const described = describeEvent(event, { labels, procedure });
  return (
    <div role="listitem" className={`trace-row trace-${described.kind}${selected ? ' selected' : ''}${marked ? ' marked' : ''}`} style={{ top, height: TRACE_ROW_HEIGHT }} data-type={event.type}>
      <button type="button" className="trace-row-button" onClick={onPick} title={described.fullTitle} aria-pressed={selected}>
        <span className="trace-dot" aria-hidden />
        <span className="trace-title">{described.title}</span>
        {marked && <Badge tone="warning">parts here</Badge>}
      </button>
    </div>
  );
});
