// Sets the theme on <html> before the first paint (a blocking script in <head>; the app's module
// runs later), so a dark system never flashes light. The same rule as renderer/src/ui/theme.ts,
// which takes over once the app runs: the stored choice if it is "light" or "dark", else the system.
/* global window, document */
(function () {
  var theme = null;
  try {
    var stored = window.localStorage.getItem('stepwise.theme');
    if (stored === 'light' || stored === 'dark') theme = stored;
  } catch {
    // Storage refused: the system's preference.
  }
  if (!theme) theme = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  document.documentElement.setAttribute('data-theme', theme);
})();
