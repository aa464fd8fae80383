// The status line's error and warning counts, which open the list of problems; choosing one selects
// its text in the editor.
import { useState } from 'react';
import { CircleAlert, Info, TriangleAlert } from 'lucide-react';
import type { Diagnostic } from '../../../shared/procedure';
import { plural, Popover } from '../ui';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
const ICONS = { error: CircleAlert, warning: TriangleAlert, info: Info } as const;
/** More would not be read; the editor still marks every one. */
const SHOWN = 100;

export function ProblemsPopover({ diagnostics, onReveal }: { diagnostics: Diagnostic[]; onReveal: (diagnostic: Diagnostic) => void }) {
  const [open, setOpen] = useState(false);
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  const warnings = diagnostics.filter((diagnostic) => diagnostic.severity === 'warning').length;
  const sorted = [...diagnostics].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.span.start.offset - b.span.start.offset);
  return (
    <Popover
      label="Problems"
      side="top"
      align="start"
      open={open}
      onOpenChange={setOpen}
      trigger={
        <button type="button" className="problems-trigger" aria-label={`Problems: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`}>
          <span className={errors ? 'has-errors' : ''}>
            <CircleAlert aria-hidden size={13} /> {plural(errors, 'error')}
          </span>
          <span className={warnings ? 'has-warnings' : ''}>
            <TriangleAlert aria-hidden size={13} /> {plural(warnings, 'warning')}
          </span>
        </button>
      }
    >
      <div className="problems" data-testid="problems">
        <h3 className="problems-title">Problems</h3>
        {sorted.length === 0 ? (
          <p className="problems-empty">No problems: the Procedure passes every check.</p>
        ) : (
          <ul className="problems-list">
            {sorted.slice(0, SHOWN).map((diagnostic) => {
              const Icon = ICONS[diagnostic.severity];
              return (
                <li key={`${diagnostic.code}:${diagnostic.span.start.offset}:${diagnostic.message}`}>
                  <button
                    type="button"
                    className={`problem problem-${diagnostic.severity}`}
                    onClick={() => {
                      setOpen(false);
                      onReveal(diagnostic);
                    }}
                  >
                    <Icon aria-hidden size={14} className="problem-icon" />
                    <span className="problem-message">{diagnostic.message}</span>
                    <span className="problem-line">line {diagnostic.span.start.line}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {sorted.length > SHOWN && <p className="problems-empty">and {sorted.length - SHOWN} more, marked in the editor.</p>}
      </div>
    </Popover>
  );
}
