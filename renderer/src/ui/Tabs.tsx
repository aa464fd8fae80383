// Tabs (Radix): arrow keys move between tabs, each tab's panel is labelled by it.
import type { ReactNode } from 'react';
import { Tabs as RadixTabs } from 'radix-ui';

export interface TabItem {
  value: string;
  label: ReactNode;
  content: ReactNode;
}

export function Tabs({ items, label, value, defaultValue, onValueChange }: { items: TabItem[]; label: string; value?: string; defaultValue?: string; onValueChange?: (value: string) => void }) {
  return (
    <RadixTabs.Root className="sw-tabs" {...(value !== undefined ? { value } : { defaultValue: defaultValue ?? items[0]?.value })} {...(onValueChange ? { onValueChange } : {})}>
      <RadixTabs.List className="sw-tabs-list" aria-label={label}>
        {items.map((item) => (
          <RadixTabs.Trigger key={item.value} value={item.value} className="sw-tabs-trigger">
            {item.label}
          </RadixTabs.Trigger>
        ))}
      </RadixTabs.List>
      {items.map((item) => (
        <RadixTabs.Content key={item.value} value={item.value} className="sw-tabs-content">
          {item.content}
        </RadixTabs.Content>
      ))}
    </RadixTabs.Root>
  );
}
