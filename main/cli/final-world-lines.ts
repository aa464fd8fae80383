// A simulation run's final world as `stepwise simulations show` prints it: where the run started,
// how much it changed, and each change in one line (the app's run screen says the same in a table,
// from the same shared diff).
import type { RunFinalWorld } from '../../shared/api';
import { changesSentence, diffWorlds, type WorldChange } from '../../shared/connectors/world-diff';

/** Values longer than this are cut, so one change stays one line; --json gives them whole. */
const MAX_VALUE_CHARS = 120;

const value = (data: unknown) => {
  const text = JSON.stringify(data) ?? 'null';
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
};

function changeLine(change: WorldChange): string {
  if (change.kind === 'added') return `  + ${change.path}: ${value(change.after)}`;
  if (change.kind === 'removed') return `  - ${change.path}: ${value(change.before)} (removed)`;
  return `  ~ ${change.path}: ${value(change.before)} → ${value(change.after)}`;
}

export function finalWorldLines(world: RunFinalWorld): string[] {
  if (world.state === 'not_recorded') return ['Final world: not recorded (this run was stored before final worlds were kept).'];
  if (world.state === 'none') return [`Final world: none. ${world.reason}`];
  const changes = diffWorlds(world.start, world.final);
  const from = world.startedFrom !== null ? `the mock world "${world.startedFrom}"` : "the simulation's own world";
  return [`Final world: started from ${from}; ${changesSentence(changes.length)}`, ...changes.map(changeLine)];
}
