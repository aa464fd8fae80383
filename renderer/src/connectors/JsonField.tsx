// A JSON value edited as text (headers, query, input schema, fields kept, mocks): a parse error is
// shown next to the field and reported up, so the form is not saved with it.
import { useEffect, useState } from 'react';
import { Field } from '../ui';

export function JsonField({ label, help, value, onChange, onParseError, error, rows = 4 }: { label: string; help?: string; value: unknown; onChange: (value: unknown) => void; onParseError: (message: string | null) => void; error?: string | null; rows?: number }) {
  const [text, setText] = useState(() => show(value));
  const [parseError, setParseError] = useState<string | null>(null);
  // A value replaced from outside (another connector chosen) resets the text.
  useEffect(() => {
    if (parseError === null) setText(show(value));
  }, [value]);
  return (
    <Field label={label} {...(help ? { help } : {})} error={parseError ?? error ?? null}>
      <textarea
        className="sw-input sw-textarea connectors-json"
        spellCheck={false}
        rows={rows}
        value={text}
        onChange={(event) => {
          const next = event.target.value;
          setText(next);
          if (next.trim() === '') {
            setParseError(null);
            onParseError(null);
            onChange(undefined);
            return;
          }
          try {
            const parsed: unknown = JSON.parse(next);
            setParseError(null);
            onParseError(null);
            onChange(parsed);
          } catch (problem) {
            const message = `not valid JSON: ${(problem as Error).message}`;
            setParseError(message);
            onParseError(message);
          }
        }}
      />
    </Field>
  );
}

function show(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}
