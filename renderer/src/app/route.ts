// Hash routes: #/ (the list), #/procedures/<name>, #/procedures/<name>/simulations, #/settings, #/connectors, #/teams, #/bundles, #/knowledge (?q=<search>&article=<id>: a search and an article open), #/preview/<name> and #/compare/<name> (a preview in its own tab).
import { useEffect, useState } from 'react';

export type Route = { screen: 'home' } | { screen: 'procedure'; name: string } | { screen: 'simulations'; name: string } | { screen: 'settings' } | { screen: 'connectors' } | { screen: 'teams' } | { screen: 'bundles' } | { screen: 'knowledge'; query?: string; article?: number } | { screen: 'preview'; name: string; compare: boolean };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  const preview = /^\/(preview|compare)\/(.+)$/.exec(path);
  if (preview) {
    try {
      return { screen: 'preview', name: decodeURIComponent(preview[2]!), compare: preview[1] === 'compare' };
    } catch {
      return { screen: 'home' };
    }
  }
  const simulations = /^\/procedures\/(.+)\/simulations$/.exec(path);
  if (simulations) {
    try {
      return { screen: 'simulations', name: decodeURIComponent(simulations[1]!) };
    } catch {
      return { screen: 'home' };
    }
  }
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
  if (path === '/teams') return { screen: 'teams' };
  if (path === '/bundles') return { screen: 'bundles' };
  if (path === '/knowledge') {
    const params = new URLSearchParams(hash.replace(/^#/, '').split('?').slice(1).join('?'));
    const query = params.get('q') ?? '';
    const article = Number(params.get('article'));
    return { screen: 'knowledge', ...(query ? { query } : {}), ...(Number.isSafeInteger(article) && article > 0 ? { article } : {}) };
  }
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
    case 'teams':
      return '#/teams';
    case 'bundles':
      return '#/bundles';
    case 'knowledge': {
      const params = new URLSearchParams();
      if (route.query) params.set('q', route.query);
      if (route.article) params.set('article', String(route.article));
      const search = params.toString();
      return search ? `#/knowledge?${search}` : '#/knowledge';
    }
    case 'procedure':
      return `#/procedures/${encodeURIComponent(route.name)}`;
    case 'simulations':
      return `#/procedures/${encodeURIComponent(route.name)}/simulations`;
    case 'preview':
      return `#/${route.compare ? 'compare' : 'preview'}/${encodeURIComponent(route.name)}`;
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
