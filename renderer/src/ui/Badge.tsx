// A small status label: neutral, success (live), warning (edited), draft, violet (sub-procedure).
import type { ReactNode } from 'react';

export type BadgeTone = 'neutral' | 'success' | 'warning' | 'draft' | 'violet' | 'accent';

export function Badge({ tone = 'neutral', className, children, dot }: { tone?: BadgeTone; className?: string; children: ReactNode; dot?: boolean }) {
  return (
    <span className={['badge', 'sw-badge', `sw-badge-${tone}`, className].filter(Boolean).join(' ')}>
      {dot && <span className="sw-badge-dot" aria-hidden />}
      {children}
    </span>
  );
}
