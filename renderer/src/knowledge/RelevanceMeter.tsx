// A hit's relevance: a label and a short bar against the best hit, the raw score in the tooltip.
import type { Relevance } from './relevance';

export function RelevanceMeter({ relevance }: { relevance: Relevance }) {
  return (
    <span className="knowledge-relevance" title={relevance.detail} data-testid="relevance">
      <span className="knowledge-relevance-bar" aria-hidden>
        <span style={{ width: `${Math.round(relevance.fraction * 100)}%` }} />
      </span>
      {relevance.label}
    </span>
  );
}
