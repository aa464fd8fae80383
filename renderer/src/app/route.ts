// Hash routes: #/ (the list), #/procedures/<name>, #/settings, #/connectors.
import { useEffect, useState } from 'react';

export type Route = { screen: 'home' } | { screen: 'procedure'; name: string } | { screen: 'settings' } | { screen: 'connectors' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  const procedure = /^\/procedures\/(.+)$/.exec(path);
  if (procedure) {
    try {
      return { screen: 'procedure', name: decodeURIComponent(procedure[1]!) };
    } catch {
      return { screen: 'home' };
    }
  }
  if (path === '/settings') return { screen: 'settings' };
  if (path === '/connectors') return { screen: 'connectors' };
  return { screen: 'home' };
}

export function routeHash(route: Route): string {
  switch (route.screen) {
    case 'home':
      return '#/';
    case 'settings':
      return '#/settings';
    case 'connectors':
      return '#/connectors';
    case 'procedure':
      return `#/procedures/${encodeURIComponent(route.name)}`;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
