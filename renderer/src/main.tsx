import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { connectApi } from './api/transport';
import { ApiProvider } from './api/context';
import { initTheme } from './ui/theme';
import './ui/tokens.css';
import './ui/components.css';
import './styles.css';

// Before the first render, so the first frame is already in the right theme.
initTheme();

const root = createRoot(document.getElementById('root')!);
try {
  const api = connectApi();
  root.render(
    <StrictMode>
      <ApiProvider api={api}>
        <App />
      </ApiProvider>
    </StrictMode>,
  );
} catch (error) {
  root.render(<p className="fatal">{(error as Error).message}</p>);
}
