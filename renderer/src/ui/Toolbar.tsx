// A toolbar (Radix): one tab stop, arrow keys move between its controls. It never wraps: items keep
// their size, the hint (if any) takes what is left and ends with an ellipsis, its full text a tooltip.
import type { ReactNode } from 'react';
import { Toolbar as RadixToolbar } from 'radix-ui';
import type { LucideIcon } from 'lucide-react';
import type { ButtonVariant } from './Button';
import { Tooltip } from './Tooltip';

export function Toolbar({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <RadixToolbar.Root className={['sw-toolbar', className].filter(Boolean).join(' ')} aria-label={label}>
      {children}
    </RadixToolbar.Root>
  );
}

export function ToolbarButton({ icon: Icon, children, variant = 'ghost', onClick, disabled, title, shortcut, pressed, label, className }: { icon?: LucideIcon; children?: ReactNode; variant?: ButtonVariant; onClick: () => void; disabled?: boolean; title?: string; shortcut?: string; pressed?: boolean; label?: string; className?: string }) {
  const button = (
    <RadixToolbar.Button
      className={['sw-button', `sw-button-${variant}`, 'sw-button-sm', children === undefined ? 'sw-icon-button' : '', className].filter(Boolean).join(' ')}
      onClick={onClick}
      disabled={disabled ?? false}
      {...(label ? { 'aria-label': label } : {})}
      {...(pressed !== undefined ? { 'aria-pressed': pressed } : {})}
      {...(shortcut ? { 'aria-keyshortcuts': shortcut } : {})}
    >
      {Icon && <Icon aria-hidden size={14} strokeWidth={1.75} className="sw-button-icon" />}
      {children !== undefined && <span className="sw-button-label">{children}</span>}
    </RadixToolbar.Button>
  );
  const tip = title ?? (children === undefined ? label : undefined);
  return tip ? <Tooltip content={tip}>{button}</Tooltip> : button;
}

export function ToolbarSeparator() {
  return <RadixToolbar.Separator className="sw-toolbar-separator" />;
}

/** Takes the remaining width; truncates with an ellipsis, the whole text on hover. */
export function ToolbarHint({ children }: { children: string }) {
  return (
    <span className="sw-toolbar-hint" title={children}>
      {children}
    </span>
  );
}

export function ToolbarSpacer() {
  return <span className="sw-toolbar-spacer" />;
}
