// A select (Radix) in place of the native one: the same look in every theme and platform, typeahead,
// arrow keys, and a label wired as its accessible name.
import { Select as RadixSelect } from 'radix-ui';
import { Check, ChevronDown } from 'lucide-react';

export interface SelectOption {
  value: string;
  label: string;
}

export function Select({ value, onValueChange, options, label, id, size = 'md', className, ...aria }: { value: string; onValueChange: (value: string) => void; options: SelectOption[]; label: string; id?: string; size?: 'sm' | 'md'; className?: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) {
  return (
    <RadixSelect.Root value={value} onValueChange={onValueChange}>
      <RadixSelect.Trigger className={['sw-select', `sw-select-${size}`, className].filter(Boolean).join(' ')} aria-label={label} {...(id ? { id } : {})} {...aria}>
        <RadixSelect.Value />
        <RadixSelect.Icon className="sw-select-chevron">
          <ChevronDown aria-hidden size={14} />
        </RadixSelect.Icon>
      </RadixSelect.Trigger>
      <RadixSelect.Portal>
        <RadixSelect.Content className="sw-select-content" position="popper" sideOffset={4} collisionPadding={8}>
          <RadixSelect.Viewport className="sw-select-viewport">
            {options.map((option) => (
              <RadixSelect.Item key={option.value} value={option.value} className="sw-select-item">
                <RadixSelect.ItemText>{option.label}</RadixSelect.ItemText>
                <RadixSelect.ItemIndicator className="sw-select-check">
                  <Check aria-hidden size={14} />
                </RadixSelect.ItemIndicator>
              </RadixSelect.Item>
            ))}
          </RadixSelect.Viewport>
        </RadixSelect.Content>
      </RadixSelect.Portal>
    </RadixSelect.Root>
  );
}
