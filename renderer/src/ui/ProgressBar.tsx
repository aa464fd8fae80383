// Progress of a long job (a suite run, a knowledge import): Radix Progress, with its label and count.
import { Progress } from 'radix-ui';

export function ProgressBar({ label, value, max, detail }: { label: string; value: number; max: number; detail?: string }) {
  const ratio = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  return (
    <div className="sw-progress">
      <div className="sw-progress-line">
        <span className="sw-progress-label">{label}</span>
        <span className="sw-progress-count">{detail ?? `${value} / ${max}`}</span>
      </div>
      <Progress.Root className="sw-progress-track" value={value} max={max} aria-label={label}>
        <Progress.Indicator className="sw-progress-indicator" style={{ transform: `translateX(-${100 - ratio * 100}%)` }} />
      </Progress.Root>
    </div>
  );
}
