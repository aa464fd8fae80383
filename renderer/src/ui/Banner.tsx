// A banner across a screen or pane: a state to know about before going on ("No model configured"),
// with an optional action. Errors are announced (role=alert), the rest politely (role=status).
import type { ReactNode } from 'react';
import { CircleAlert, CircleCheck, Info, TriangleAlert } from 'lucide-react';

export type BannerTone = 'info' | 'success' | 'warning' | 'error';
const ICONS = { info: Info, success: CircleCheck, warning: TriangleAlert, error: CircleAlert } as const;

export function Banner({ tone = 'info', title, children, action }: { tone?: BannerTone; title?: string; children?: ReactNode; action?: ReactNode }) {
  const Icon = ICONS[tone];
  return (
    <div className={`sw-banner sw-banner-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <Icon className="sw-banner-icon" aria-hidden size={16} strokeWidth={2} />
      <div className="sw-banner-body">
        {title && <strong className="sw-banner-title">{title}</strong>}
        {children && <span className="sw-banner-text">{children}</span>}
      </div>
      {action && <div className="sw-banner-action">{action}</div>}
    </div>
  );
}
