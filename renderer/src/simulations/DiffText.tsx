// A unified diff as text, added lines green and removed ones red (the Procedure's change between
// two suites, an improvement proposed by the author model).
export function DiffText({ patch, label = 'Procedure diff' }: { patch: string; label?: string }) {
  return (
    // Focusable: a long diff scrolls, and keyboard users scroll it too.
    <pre className="sim-diff" aria-label={label} tabIndex={0}>
      {patch
        .split('\n')
        .filter((line) => !line.startsWith('===') && !line.startsWith('Index:'))
        .map((line, index) => (
          <span key={index} className={line.startsWith('+') && !line.startsWith('+++') ? 'sim-diff-add' : line.startsWith('-') && !line.startsWith('---') ? 'sim-diff-del' : undefined}>
            {line}
            {'\n'}
          </span>
        ))}
    </pre>
  );
}
