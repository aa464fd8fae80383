import { useEffect, useState } from 'react';
import type { AppInfo } from '../../../shared/api';
import { useApi } from '../api/context';
import { ProcedureList } from '../procedures/ProcedureList';
import { ProcedureScreen } from '../procedures/ProcedureScreen';
import { useProcedures } from '../procedures/useProcedures';
import { SettingsScreen } from '../settings/SettingsScreen';
import { DialogHost } from '../ui/dialogs';
import { navigate } from './navigation';
import { useRoute } from './route';

export function App() {
  const api = useApi();
  const route = useRoute();
  const { procedures, error } = useProcedures();
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    api['app.info']({}).then(setInfo, () => setInfo(null));
  }, [api]);
  const selected = route.screen === 'procedure' ? route.name : null;
  return (
    <div className="app">
      <header className="topbar">
        <span className="logo">Stepwise</span>
        {info && <span className="workspace" title={info.workspacePath}>{info.workspaceName}</span>}
        <span className="spacer" />
        <button type="button" className={route.screen === 'settings' ? 'active' : ''} onClick={() => void navigate({ screen: 'settings' })}>
          Settings
        </button>
      </header>
      <div className="body">
        <ProcedureList procedures={procedures} selected={selected} error={error} />
        <main className="content">
          {route.screen === 'procedure' && <ProcedureScreen key={route.name} name={route.name} />}
          {route.screen === 'home' && <p className="empty">Choose a Procedure on the left, or create a new one.</p>}
          {route.screen === 'settings' && <SettingsScreen />}
        </main>
      </div>
      <DialogHost />
    </div>
  );
}
