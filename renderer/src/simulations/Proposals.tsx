// Simulations the author model proposed: each shown as the lines it would add, to accept (saved,
// checked like any other) or reject (dropped). Nothing is saved without a click.
import { useState } from 'react';
import { Check, X } from 'lucide-react';
import { useApi } from '../api/context';
import { Banner, Button } from '../ui';
import { toYaml } from './definition-draft';

export interface Proposal {
  target: string;
  name: string;
  definition: Record<string, unknown>;
}

export function Proposals({ procedure, proposals: initial, onSaved }: { procedure: string; proposals: Proposal[]; onSaved(): void }) {
  const api = useApi();
  const [proposals, setProposals] = useState(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const drop = (name: string) => setProposals((current) => current.filter((proposal) => proposal.name !== name));
  const accept = async (proposal: Proposal) => {
    try {
      await api['simulations.save']({ procedure, name: proposal.name, definition: proposal.definition });
      drop(proposal.name);
      onSaved();
    } catch (caught) {
      setErrors((current) => ({ ...current, [proposal.name]: (caught as Error).message }));
    }
  };
  if (proposals.length === 0) return <p className="muted">No proposal left.</p>;
  return (
    <ul className="sim-proposals" aria-label="Proposed simulations">
      {proposals.map((proposal) => (
        <li key={proposal.name} className="sim-proposal" data-testid="proposal">
          <div className="sim-pane-header">
            <strong>{proposal.name}</strong>
            <span className="muted">for {proposal.target}</span>
            <span className="spacer" />
            <Button size="sm" variant="ghost" icon={X} onClick={() => drop(proposal.name)} aria-label={`Reject ${proposal.name}`}>
              Reject
            </Button>
            <Button size="sm" variant="primary" icon={Check} onClick={() => void accept(proposal)} aria-label={`Accept ${proposal.name}`}>
              Accept
            </Button>
          </div>
          {errors[proposal.name] && <Banner tone="error">{errors[proposal.name]}</Banner>}
          <pre className="sim-diff" aria-label={`What accepting ${proposal.name} adds`}>
            {toYaml(proposal.definition)
              .trimEnd()
              .split('\n')
              .map((line, index) => (
                <span key={index} className="sim-diff-add">
                  + {line}
                  {'\n'}
                </span>
              ))}
          </pre>
        </li>
      ))}
    </ul>
  );
}
