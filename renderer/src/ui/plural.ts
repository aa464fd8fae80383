// The screens' plural helper is the one the command line uses too (shared/plural.ts).
export { formatCount, nounFor, plural } from '../../../shared/plural';
