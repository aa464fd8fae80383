// Shows the toasts (Radix Toast): announced politely to screen readers, paused on hover and focus,
// swiped or closed away, reachable with F8. Bottom left, above the status line, where they cover no
// toolbar, graph control or diff; two at most, the rest queued.
import { Toast } from 'radix-ui';
import { CircleAlert, CircleCheck, Info, X } from 'lucide-react';
import { dismissToast, useToasts, visibleToasts, type ToastTone } from './toast';

const ICONS: Record<ToastTone, typeof Info> = { success: CircleCheck, info: Info, error: CircleAlert };

export function Toaster() {
  const toasts = visibleToasts(useToasts());
  return (
    <Toast.Provider swipeDirection="left" label="Notifications">
      {toasts.map((item) => {
        const Icon = ICONS[item.tone];
        return (
          <Toast.Root
            key={item.id}
            className={`sw-toast sw-toast-${item.tone}`}
            duration={item.duration}
            type={item.tone === 'error' ? 'foreground' : 'background'}
            onOpenChange={(open) => !open && dismissToast(item.id)}
            data-testid="toast"
          >
            <Icon className="sw-toast-icon" aria-hidden size={18} strokeWidth={2} />
            <div className="sw-toast-body">
              <Toast.Title className="sw-toast-title">{item.title}</Toast.Title>
              {item.description && <Toast.Description className="sw-toast-description">{item.description}</Toast.Description>}
            </div>
            <Toast.Close className="sw-toast-close" aria-label="Dismiss notification">
              <X aria-hidden size={14} />
            </Toast.Close>
          </Toast.Root>
        );
      })}
      <Toast.Viewport className="sw-toast-viewport" />
    </Toast.Provider>
  );
}
