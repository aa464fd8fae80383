// Buttons: one look per intent (primary, secondary, ghost, danger), an optional leading icon, and an
// icon-only variant whose label is both its accessible name and its tooltip.
import { forwardRef, type ButtonHTMLAttributes, type ReactNode } from 'react';
import type { LucideIcon } from 'lucide-react';
import { Tooltip } from './Tooltip';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';
export type ButtonSize = 'sm' | 'md';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: ButtonSize;
  icon?: LucideIcon;
  /** Shown at the end, muted: a keyboard shortcut or a count. */
  trailing?: ReactNode;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button({ variant = 'secondary', size = 'md', icon: Icon, trailing, className, children, type = 'button', ...rest }, ref) {
  return (
    <button ref={ref} type={type} className={['sw-button', `sw-button-${variant}`, `sw-button-${size}`, className].filter(Boolean).join(' ')} {...rest}>
      {Icon && <Icon className="sw-button-icon" aria-hidden size={size === 'sm' ? 14 : 16} strokeWidth={1.75} />}
      {children !== undefined && <span className="sw-button-label">{children}</span>}
      {trailing !== undefined && <span className="sw-button-trailing">{trailing}</span>}
    </button>
  );
});

export interface IconButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'children'> {
  icon: LucideIcon;
  /** The accessible name, also shown as the tooltip. */
  label: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** Pressed state, for toggles. */
  pressed?: boolean;
  tooltip?: boolean;
}

export const IconButton = forwardRef<HTMLButtonElement, IconButtonProps>(function IconButton({ icon: Icon, label, variant = 'ghost', size = 'md', pressed, tooltip = true, className, type = 'button', ...rest }, ref) {
  const button = (
    <button
      ref={ref}
      type={type}
      aria-label={label}
      {...(pressed !== undefined ? { 'aria-pressed': pressed } : {})}
      className={['sw-button', 'sw-icon-button', `sw-button-${variant}`, `sw-button-${size}`, className].filter(Boolean).join(' ')}
      {...rest}
    >
      <Icon aria-hidden size={size === 'sm' ? 14 : 16} strokeWidth={1.75} />
    </button>
  );
  return tooltip ? <Tooltip content={label}>{button}</Tooltip> : button;
});
