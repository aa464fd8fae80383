// A dropdown menu (Radix): arrow keys move, Enter chooses, Esc closes and focus returns to the trigger.
import { useRef, type ReactElement, type ReactNode } from 'react';
import { DropdownMenu } from 'radix-ui';
import type { LucideIcon } from 'lucide-react';

export interface MenuItem {
  label: string;
  icon?: LucideIcon;
  onSelect: () => void;
  danger?: boolean;
  disabled?: boolean;
  /** Draws a separator before this item. */
  separated?: boolean;
  shortcut?: string;
}

export function Menu({ trigger, items, label, align = 'end', children }: { trigger: ReactElement; items: MenuItem[]; label: string; align?: 'start' | 'end'; children?: ReactNode }) {
  // The chosen item runs once the menu has closed and given focus back to its trigger, so a dialog
  // it opens returns focus there too (and not to a menu item that no longer exists).
  const chosen = useRef<(() => void) | null>(null);
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger asChild>{trigger}</DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          className="sw-menu"
          aria-label={label}
          align={align}
          sideOffset={4}
          collisionPadding={8}
          loop
          onCloseAutoFocus={() => {
            const run = chosen.current;
            chosen.current = null;
            if (run) setTimeout(run, 0); // after Radix's own handler has focused the trigger
          }}
        >
          {children}
          {items.map((item) => [
            item.separated ? <DropdownMenu.Separator key={`${item.label}-sep`} className="sw-menu-separator" /> : null,
            <DropdownMenu.Item key={item.label} className={`sw-menu-item${item.danger ? ' sw-menu-item-danger' : ''}`} disabled={item.disabled ?? false} onSelect={() => (chosen.current = item.onSelect)}>
              {item.icon && <item.icon aria-hidden size={15} strokeWidth={1.75} className="sw-menu-icon" />}
              <span className="sw-menu-label">{item.label}</span>
              {item.shortcut && <span className="sw-menu-shortcut">{item.shortcut}</span>}
            </DropdownMenu.Item>,
          ])}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
