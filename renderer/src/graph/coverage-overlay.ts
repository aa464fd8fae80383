// The simulations' coverage on the graph, as a separate hook so the graph's own components stay
// untouched: every node the graph draws carries its graph id (data-node-id), and this marks each
// one with how many runs reached it (data-coverage "reached" or "unreached", data-visits), also on
// nodes React Flow draws later (scrolling, expanding), until the overlay is taken away.
import { useEffect, type RefObject } from 'react';
import './coverage.css';

/** Graph node id → runs that reached it; an id missing from the map is not marked. */
export type CoverageMap = ReadonlyMap<string, number>;

export function markCoverage(root: ParentNode, coverage: CoverageMap): void {
  for (const element of root.querySelectorAll<HTMLElement>('[data-node-id]')) {
    const id = element.dataset.nodeId ?? '';
    const visits = coverage.get(id);
    if (visits === undefined) {
      delete element.dataset.coverage;
      delete element.dataset.visits;
      continue;
    }
    const state = visits > 0 ? 'reached' : 'unreached';
    if (element.dataset.coverage !== state) element.dataset.coverage = state;
    if (element.dataset.visits !== String(visits)) element.dataset.visits = String(visits);
    const title = visits > 0 ? `Reached by ${visits} run${visits === 1 ? '' : 's'}` : 'No simulation reached this';
    if (element.getAttribute('aria-description') !== title) element.setAttribute('aria-description', title);
  }
}

function clearCoverage(root: ParentNode): void {
  for (const element of root.querySelectorAll<HTMLElement>('[data-coverage]')) {
    delete element.dataset.coverage;
    delete element.dataset.visits;
    element.removeAttribute('aria-description');
  }
}

/** Keeps the graph inside `container` marked with `coverage` (null: no overlay). */
export function useCoverageOverlay(container: RefObject<HTMLElement | null>, coverage: CoverageMap | null): void {
  useEffect(() => {
    const root = container.current;
    if (!root) return;
    if (!coverage) {
      clearCoverage(root);
      return;
    }
    markCoverage(root, coverage);
    const observer = new MutationObserver(() => markCoverage(root, coverage));
    // Only new nodes matter; attributes are left out so the overlay's own marks do not re-trigger it.
    observer.observe(root, { childList: true, subtree: true });
    return () => {
      observer.disconnect();
      clearCoverage(root);
    };
  }, [container, coverage]);
}
