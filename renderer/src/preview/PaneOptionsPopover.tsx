// A pane's controls: starting customer attributes (checked by the engine against the Procedure's
// declared types), connectors mocked over a world or live, and the agent role's model. They apply
// at the next Start.
import { SlidersHorizontal } from 'lucide-react';
import { Button, Field, Popover, Select } from '../ui';
import { parseAttributes, type PaneOptions } from './usePreviewPane';

export function PaneOptionsPopover({ label, options, onChange }: { label: string; options: PaneOptions; onChange: (options: PaneOptions) => void }) {
  const attributes = parseAttributes(options.attributes);
  return (
    <Popover
      label={`${label} options`}
      align="start"
      trigger={
        <Button size="sm" variant="ghost" icon={SlidersHorizontal}>
          Options
        </Button>
      }
    >
      <div className="preview-options">
        <Field label="Starting attributes (JSON)" help="Checked against the Procedure's declared types at Start." error={attributes.ok ? null : attributes.message}>
          <textarea className="preview-input" rows={3} placeholder='{"order_number": "1043"}' value={options.attributes} onChange={(event) => onChange({ ...options, attributes: event.target.value })} />
        </Field>
        <Field label="Connectors">
          <Select size="sm" label="Connectors" value={options.connectors} onValueChange={(value) => onChange({ ...options, connectors: value as PaneOptions['connectors'] })} options={[{ value: 'mock', label: 'Mocked over a world' }, { value: 'live', label: 'Live (as approved)' }]} />
        </Field>
        {options.connectors === 'mock' && (
          <Field label="World" help="Empty: the workspace's shop world, or its only one.">
            <input className="sw-input preview-input" value={options.world} onChange={(event) => onChange({ ...options, world: event.target.value })} />
          </Field>
        )}
        <Field label="Model for the agent" help="Empty: the one in Settings.">
          <input className="sw-input preview-input" value={options.agentModel} onChange={(event) => onChange({ ...options, agentModel: event.target.value })} />
        </Field>
      </div>
    </Popover>
  );
}
