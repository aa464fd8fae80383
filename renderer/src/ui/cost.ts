// Money in words. A cost made only of calls whose model has no price is unknown, not $0.0000; one
// with some unpriced calls says so beside the priced part.
import { plural } from './plural';

/** Dollars to four places ("$0.0123"), the precision a single model call needs. */
export function formatUsd(usd: number): string {
  return `$${usd.toFixed(4)}`;
}

/** The cost of `calls` model calls of which `unpriced` had no price: "price unknown" when none had one. */
export function costText(usd: number | null, calls: number, unpriced = 0): string {
  if (usd === null || (calls > 0 && unpriced >= calls)) return 'price unknown';
  if (unpriced > 0) return `${formatUsd(usd)} + ${plural(unpriced, 'call')} of unknown price`;
  return formatUsd(usd);
}
