// What a screen or list shows when it has nothing yet: an icon, a line of what goes here, an action.
import type { ReactNode } from 'react';
import type { LucideIcon } from 'lucide-react';

export function EmptyState({ icon: Icon, title, children, action }: { icon: LucideIcon; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="sw-empty">
      <span className="sw-empty-icon" aria-hidden>
        <Icon size={22} strokeWidth={1.75} />
      </span>
      <h2 className="sw-empty-title">{title}</h2>
      {children && <div className="sw-empty-text">{children}</div>}
      {action && <div className="sw-empty-action">{action}</div>}
    </div>
  );
}
