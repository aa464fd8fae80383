// A screen's data loaded from the engine: the value (null until the first answer), the error of the
// last load (null once one succeeds), and reload for after a change. One hook, so every screen shows
// a failed load the same way instead of each writing its own try/catch.
import { useCallback, useEffect, useState } from 'react';

export function useLoaded<T>(load: () => Promise<T>): { value: T | null; error: string | null; reload: () => Promise<void> } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setValue(await load());
      setError(null);
    } catch (problem) {
      setError((problem as Error).message);
    }
  }, [load]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, error, reload };
}
