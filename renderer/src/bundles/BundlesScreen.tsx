// The bundles screen: export Procedures into a signed bundle, import one (what changes, item by
// item, before anything is written), and the keys that sign and are trusted.
import { Tabs } from '../ui';
import { ExportPanel } from './ExportPanel';
import { ImportPanel } from './ImportPanel';
import { KeysPanel } from './KeysPanel';
import './bundles.css';

export function BundlesScreen() {
  return (
    <section className="bundles" aria-label="Bundles">
      <header className="bundles-head">
        <h1>Bundles</h1>
        <p>Carry Procedures, with what they call and use, from this workspace to another one or to production.</p>
      </header>
      <Tabs
        label="Bundles"
        items={[
          { value: 'export', label: 'Export', content: <ExportPanel /> },
          { value: 'import', label: 'Import', content: <ImportPanel /> },
          { value: 'keys', label: 'Keys', content: <KeysPanel /> },
        ]}
      />
    </section>
  );
}
