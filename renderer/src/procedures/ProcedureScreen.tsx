// The Procedure screen: the editor and the graph side by side.
import { useEffect, useState } from 'react';
import type { ProcedureDetail } from '../../../shared/api';
import { useApi } from '../api/context';

export function ProcedureScreen({ name }: { name: string }) {
  const api = useApi();
  const [detail, setDetail] = useState<ProcedureDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api['procedures.get']({ name }).then(setDetail, (caught: Error) => setError(caught.message));
  }, [api, name]);
  if (error) return <p className="error">{error}</p>;
  if (!detail) return <p className="muted">Loading…</p>;
  return (
    <section className="procedure-screen">
      <h1>{detail.name}</h1>
      <pre>{detail.draftText}</pre>
    </section>
  );
}
