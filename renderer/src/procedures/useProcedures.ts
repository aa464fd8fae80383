// The workspace's Procedures, refreshed whenever the engine says they changed.
import { useCallback, useEffect } from 'react';
import { useApi } from '../api/context';
import { useLoaded } from '../api/useLoaded';

export function useProcedures() {
  const api = useApi();
  const { value: procedures, error, reload: refresh } = useLoaded(useCallback(() => api['procedures.list']({}), [api]));
  useEffect(() => api.on('procedures.changed', () => void refresh()), [api, refresh]);
  return { procedures, error, refresh };
}
