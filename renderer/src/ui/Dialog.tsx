// A modal dialog (Radix): focus moves in and is trapped, Esc and the close button close it, and focus
// returns to what opened it. Title and description are wired to aria-labelledby/-describedby.
import type { ReactNode } from 'react';
import { Dialog as RadixDialog } from 'radix-ui';
import { X } from 'lucide-react';
import { IconButton } from './Button';

export interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  children?: ReactNode;
  /** Buttons, right-aligned at the bottom. */
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  /** Where focus goes first; Radix's default is the first focusable element. */
  onOpenAutoFocus?: (event: Event) => void;
  /**
   * Where focus returns on close, for a dialog opened without a Radix trigger (from code): Radix
   * returns it to its trigger, and without one it would fall to the page.
   */
  returnFocusTo?: HTMLElement | null;
}

export function Dialog({ open, onOpenChange, title, description, children, footer, size = 'sm', onOpenAutoFocus, returnFocusTo }: DialogProps) {
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="sw-overlay" />
        <RadixDialog.Content className={`sw-dialog sw-dialog-${size}`} aria-label={title} {...(description ? {} : { 'aria-describedby': undefined })} {...(onOpenAutoFocus ? { onOpenAutoFocus } : {})}
          {...(returnFocusTo !== undefined
            ? {
                onCloseAutoFocus: (event: Event) => {
                  if (!returnFocusTo?.isConnected) return;
                  event.preventDefault();
                  returnFocusTo.focus();
                },
              }
            : {})}
        >
          <div className="sw-dialog-header">
            <RadixDialog.Title className="sw-dialog-title">{title}</RadixDialog.Title>
            <RadixDialog.Close asChild>
              <IconButton icon={X} label="Close dialog" size="sm" tooltip={false} />
            </RadixDialog.Close>
          </div>
          {description && <RadixDialog.Description className="sw-dialog-description">{description}</RadixDialog.Description>}
          {children}
          {footer && <div className="sw-dialog-footer">{footer}</div>}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
