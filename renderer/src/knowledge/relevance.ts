// A search hit's relevance as a reader takes it: a BM25 score ("10.01", "0.00") means nothing on its
// own, so each hit is placed against the best hit of the same search, as a label and a bar's
// fraction; the raw score stays for the tooltip.
export interface Relevance {
  label: 'Best match' | 'Strong match' | 'Partial match' | 'Weak match';
  /** The hit's share of the best hit's score, 0–1, for the bar. */
  fraction: number;
  /** The raw score, for the tooltip. */
  detail: string;
}

/** The relevance of each hit of one search (scores: higher is better), in the order given. */
export function relevanceOf(scores: readonly number[]): Relevance[] {
  const best = Math.max(0, ...scores);
  return scores.map((score, index) => {
    const fraction = best > 0 ? Math.min(1, Math.max(0, score / best)) : 0;
    const label = index === scores.indexOf(best) && best > 0 ? 'Best match' : fraction >= 0.66 ? 'Strong match' : fraction >= 0.33 ? 'Partial match' : 'Weak match';
    return { label, fraction, detail: `Relevance score ${score.toFixed(2)} (higher is better; the best hit here scores ${best.toFixed(2)})` };
  });
}
