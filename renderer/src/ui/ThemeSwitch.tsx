// The light/dark switch in the top bar: one button that shows the theme it switches to.
import { Moon, Sun } from 'lucide-react';
import { IconButton } from './Button';
import { setTheme, useTheme } from './theme';

export function ThemeSwitch() {
  const theme = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return <IconButton icon={theme === 'dark' ? Sun : Moon} label={`Switch to ${next} theme`} onClick={() => setTheme(next)} data-testid="theme-switch" className="sw-topbar-button" />;
}
