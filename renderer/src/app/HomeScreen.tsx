// What the content area shows before a Procedure is chosen.
import { FileText } from 'lucide-react';
import { EmptyState, plural } from '../ui';

export function HomeScreen({ count }: { count: number | null }) {
  return (
    <section className="home" aria-label="Start">
      <EmptyState icon={FileText} title="Choose a Procedure">
        <p>{count === null ? 'Loading the workspace…' : `${plural(count, 'Procedure')} in this workspace.`} Pick one on the left to edit it beside its graph, or create a new one.</p>
        <p className="home-keys">
          <kbd>↑</kbd> <kbd>↓</kbd> move through the list · <kbd>Enter</kbd> opens
        </p>
      </EmptyState>
    </section>
  );
}
