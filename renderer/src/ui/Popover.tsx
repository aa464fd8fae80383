// A popover (Radix): non-modal floating content anchored to its trigger; Esc and outside clicks close it.
import type { ReactElement, ReactNode } from 'react';
import { Popover as RadixPopover } from 'radix-ui';

export function Popover({ trigger, children, label, side = 'bottom', align = 'center', open, onOpenChange }: { trigger: ReactElement; children: ReactNode; label: string; side?: 'top' | 'bottom' | 'left' | 'right'; align?: 'start' | 'center' | 'end'; open?: boolean; onOpenChange?: (open: boolean) => void }) {
  return (
    <RadixPopover.Root {...(open !== undefined ? { open } : {})} {...(onOpenChange ? { onOpenChange } : {})}>
      <RadixPopover.Trigger asChild>{trigger}</RadixPopover.Trigger>
      <RadixPopover.Portal>
        <RadixPopover.Content className="sw-popover" aria-label={label} side={side} align={align} sideOffset={6} collisionPadding={8}>
          {children}
        </RadixPopover.Content>
      </RadixPopover.Portal>
    </RadixPopover.Root>
  );
}
