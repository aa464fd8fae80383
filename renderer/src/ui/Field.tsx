// A form field: label, control, help, and the error next to the field at fault (the connectors and
// simulation forms show zod's message for the field here). The control gets the ids it needs.
import { cloneElement, useId, type ReactElement } from 'react';

export function Field({ label, help, error, children }: { label: string; help?: string; error?: string | null; children: ReactElement<{ id?: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }> }) {
  const id = useId();
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, helpId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`sw-field${error ? ' sw-field-invalid' : ''}`}>
      <label className="sw-field-label" htmlFor={id}>
        {label}
      </label>
      {cloneElement(children, { id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(error ? { 'aria-invalid': true } : {}) })}
      {error && (
        <small className="sw-field-error" id={errorId} role="alert">
          {error}
        </small>
      )}
      {help && (
        <small className="sw-field-help" id={helpId}>
          {help}
        </small>
      )}
    </div>
  );
}
