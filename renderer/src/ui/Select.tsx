// A select (Radix) in place of the native one: the same look in every theme and platform, typeahead,
// arrow keys, and a label wired as its accessible name.
import { useEffect, useState } from 'react';
import { Select as RadixSelect } from 'radix-ui';
import { Check, ChevronDown } from 'lucide-react';

export interface SelectOption {
  value: string;
  label: string;
}

export function Select({ value, onValueChange, options, label, id, size = 'md', className, ...aria }: { value: string; onValueChange: (value: string) => void; options: SelectOption[]; label: string; id?: string; size?: 'sm' | 'md'; className?: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) {
  const [open, setOpen] = useState(false);
  useInertWhileHidden(open);
  return (
    <RadixSelect.Root value={value} onValueChange={onValueChange} open={open} onOpenChange={setOpen}>
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

/**
 * While the list is open, Radix hides the rest of the page from assistive technology (aria-hidden)
 * and keeps focus in the list. Making those hidden parts inert too says the same thing to every
 * reader: nothing hidden can take focus (axe-core's aria-hidden-focus rule).
 */
function useInertWhileHidden(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const made: HTMLElement[] = [];
    // After Radix's own effect, which marks the hidden parts with data-aria-hidden.
    const frame = requestAnimationFrame(() => {
      for (const element of document.querySelectorAll<HTMLElement>('[data-aria-hidden="true"]')) {
        if (element.inert) continue;
        element.inert = true;
        made.push(element);
      }
    });
    return () => {
      cancelAnimationFrame(frame);
      for (const element of made) element.inert = false;
    };
  }, [active]);
}
