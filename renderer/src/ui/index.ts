// The studio's shared components. Screens import from here, never Radix directly, so every screen
// (the Procedure screen now; preview, simulations, connectors, knowledge and bundles next) looks and
// behaves the same.
export { Badge, type BadgeTone } from './Badge';
export { Banner, type BannerTone } from './Banner';
export { costText, formatUsd } from './cost';
export { formatCount, nounFor, plural } from './plural';
export { Button, IconButton, type ButtonProps, type ButtonVariant, type IconButtonProps } from './Button';
export { Dialog, type DialogProps } from './Dialog';
export { EmptyState } from './EmptyState';
export { Field } from './Field';
export { errorsByField } from './field-errors';
export { askChoice, askConfirm, askText, DialogHost, showMessage } from './dialogs';
export { Menu, type MenuItem } from './Menu';
export { Panel, type PanelProps } from './Panel';
export { Popover } from './Popover';
export { ProgressBar } from './ProgressBar';
export { Select, type SelectOption } from './Select';
export { Tabs, type TabItem } from './Tabs';
export { ThemeSwitch } from './ThemeSwitch';
export { getTheme, initTheme, onThemeChange, setTheme, THEME_STORAGE_KEY, useTheme, type Theme } from './theme';
export { dismissToast, toast, type ToastTone } from './toast';
export { Toaster } from './Toaster';
export { Toolbar, ToolbarButton, ToolbarHint, ToolbarSeparator, ToolbarSpacer } from './Toolbar';
export { Tooltip, TooltipProvider } from './Tooltip';
