// The world diff is shared with the command line (shared/connectors/world-diff.ts).
export { diffWorlds, type WorldChange } from '../../../shared/connectors/world-diff';
