// Browser mode's transport: calls are POSTs to /api/call/<method> with the launch token, events
// come over one WebSocket that reconnects when it drops.
import type { ApiTransport, EventName } from '../../../shared/api';

export function createHttpTransport(token: string, origin: string = window.location.origin): ApiTransport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let socket: WebSocket | null = null;
  let retry = 0;

  const connect = () => {
    const url = new URL('/api/events', origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', token);
    socket = new WebSocket(url);
    socket.onopen = () => {
      retry = 0;
    };
    socket.onmessage = (message) => {
      let parsed: { event?: unknown; payload?: unknown };
      try {
        parsed = JSON.parse(String(message.data)) as typeof parsed;
      } catch {
        return;
      }
      if (typeof parsed.event !== 'string') return;
      for (const listener of listeners.get(parsed.event) ?? []) listener(parsed.payload);
    };
    socket.onclose = () => {
      socket = null;
      if (listeners.size === 0) return;
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 250 * 2 ** retry);
    };
  };

  return {
    async invoke(method, input) {
      let response: Response;
      try {
        response = await fetch(new URL(`/api/call/${encodeURIComponent(method)}`, origin), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? {}),
        });
      } catch {
        return { ok: false, error: { code: 'unavailable', message: 'The Stepwise engine cannot be reached: is `npm run serve` still running?' } };
      }
      try {
        return await response.json();
      } catch {
        return { ok: false, error: { code: 'internal', message: `The engine answered ${response.status} without a result.` } };
      }
    },
    subscribe(event: EventName, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      if (!socket) connect();
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(event);
      };
    },
  };
}
