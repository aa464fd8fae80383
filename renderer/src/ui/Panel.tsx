// A panel: a surface with a header (title, actions) and a body. "raised" floats above what it covers
// (a drawer over the editor) with the elevation token, so it never lies flat over other content.
import type { HTMLAttributes, ReactNode } from 'react';

export interface PanelProps extends Omit<HTMLAttributes<HTMLElement>, 'title'> {
  title?: ReactNode;
  actions?: ReactNode;
  elevation?: 'flat' | 'raised' | 'overlay';
  as?: 'section' | 'aside' | 'div';
  children: ReactNode;
}

export function Panel({ title, actions, elevation = 'flat', as: Tag = 'section', className, children, ...rest }: PanelProps) {
  return (
    <Tag className={['sw-panel', `sw-panel-${elevation}`, className].filter(Boolean).join(' ')} {...rest}>
      {(title || actions) && (
        <header className="sw-panel-header">
          {title && <h2 className="sw-panel-title">{title}</h2>}
          {actions && <div className="sw-panel-actions">{actions}</div>}
        </header>
      )}
      <div className="sw-panel-body">{children}</div>
    </Tag>
  );
}
