import { useEffect, useState } from 'react';
import { BookOpen, Package, Plug, Settings, Users, Workflow } from 'lucide-react';
import type { AppInfo } from '../../../shared/api';
import { useApi } from '../api/context';
import { ConnectorsScreen } from '../connectors/ConnectorsScreen';
import { PreviewPanel } from '../preview/PreviewPanel';
import { ProcedureList } from '../procedures/ProcedureList';
import { ProcedureScreen } from '../procedures/ProcedureScreen';
import { useProcedures } from '../procedures/useProcedures';
import { SettingsScreen } from '../settings/SettingsScreen';
import { TeamsScreen } from '../teams/TeamsScreen';
import { BundlesScreen } from '../bundles/BundlesScreen';
import { KnowledgeScreen } from '../knowledge/KnowledgeScreen';
import { SimulationsScreen } from '../simulations/SimulationsScreen';
import { Button, DialogHost, ThemeSwitch, Toaster, TooltipProvider } from '../ui';
import { navigate } from './navigation';
import { useRoute } from './route';
import { HomeScreen } from './HomeScreen';

export function App() {
  const api = useApi();
  const route = useRoute();
  const { procedures, error } = useProcedures();
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    api['app.info']({}).then(setInfo, () => setInfo(null));
  }, [api]);
  const selected = route.screen === 'procedure' || route.screen === 'simulations' ? route.name : null;
  return (
    <TooltipProvider delayDuration={400} skipDelayDuration={200}>
      <div className="app">
        <header className="topbar">
          <a
            className="logo"
            href="#/"
            onClick={(event) => {
              event.preventDefault();
              void navigate({ screen: 'home' });
            }}
          >
            <span className="logo-mark" aria-hidden>
              <Workflow size={15} strokeWidth={2.25} />
            </span>
            Stepwise
          </a>
          {info && (
            <span className="workspace" title={info.workspacePath}>
              {info.workspaceName}
            </span>
          )}
          <span className="spacer" />
          <ThemeSwitch />
          <Button variant="ghost" size="sm" icon={Plug} className={`sw-topbar-button${route.screen === 'connectors' ? ' active' : ''}`} aria-current={route.screen === 'connectors' ? 'page' : undefined} onClick={() => void navigate({ screen: 'connectors' })}>
            Connectors
          </Button>
          <Button variant="ghost" size="sm" icon={BookOpen} className={`sw-topbar-button${route.screen === 'knowledge' ? ' active' : ''}`} aria-current={route.screen === 'knowledge' ? 'page' : undefined} onClick={() => void navigate({ screen: 'knowledge' })}>
            Knowledge
          </Button>
          <Button variant="ghost" size="sm" icon={Users} className={`sw-topbar-button${route.screen === 'teams' ? ' active' : ''}`} aria-current={route.screen === 'teams' ? 'page' : undefined} onClick={() => void navigate({ screen: 'teams' })}>
            Teams
          </Button>
          <Button variant="ghost" size="sm" icon={Package} className={`sw-topbar-button${route.screen === 'bundles' ? ' active' : ''}`} aria-current={route.screen === 'bundles' ? 'page' : undefined} onClick={() => void navigate({ screen: 'bundles' })}>
            Bundles
          </Button>
          <Button variant="ghost" size="sm" icon={Settings} className={`sw-topbar-button${route.screen === 'settings' ? ' active' : ''}`} aria-current={route.screen === 'settings' ? 'page' : undefined} onClick={() => void navigate({ screen: 'settings' })}>
            Settings
          </Button>
        </header>
        <div className="body">
          <ProcedureList procedures={procedures} selected={selected} error={error} />
          <main className="content">
            {route.screen === 'procedure' && <ProcedureScreen key={route.name} name={route.name} />}
            {route.screen === 'simulations' && <SimulationsScreen key={route.name} name={route.name} />}
            {route.screen === 'home' && <HomeScreen count={procedures?.length ?? null} />}
            {route.screen === 'settings' && <SettingsScreen />}
            {route.screen === 'preview' && (
              <section className="preview-screen" aria-label={`Preview of ${route.name}`}>
                <PreviewPanel key={route.name} name={route.name} getText={null} compare={route.compare} />
              </section>
            )}
            {route.screen === 'connectors' && <ConnectorsScreen />}
            {route.screen === 'teams' && <TeamsScreen />}
            {route.screen === 'bundles' && <BundlesScreen />}
            {route.screen === 'knowledge' && <KnowledgeScreen key={`${route.query ?? ''}\u0000${route.article ?? ''}`} initialQuery={route.query ?? ''} initialArticle={route.article ?? null} />}
          </main>
        </div>
        <DialogHost />
        <Toaster />
      </div>
    </TooltipProvider>
  );
}
