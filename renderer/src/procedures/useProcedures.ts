// The workspace's Procedures, refreshed whenever the engine says they changed.
import { useCallback, useEffect, useState } from 'react';
import type { ProcedureSummary } from '../../../shared/api';
import { useApi } from '../api/context';

export function useProcedures() {
  const api = useApi();
  const [procedures, setProcedures] = useState<ProcedureSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    try {
      setProcedures(await api['procedures.list']({}));
      setError(null);
    } catch (caught) {
      setError((caught as Error).message);
    }
  }, [api]);
  useEffect(() => {
    void refresh();
    return api.on('procedures.changed', () => void refresh());
  }, [api, refresh]);
  return { procedures, error, refresh };
}
