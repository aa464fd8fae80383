// Moved to shared/ (pure), where the store and the domain folders both reach it.
export { describeZodError } from '../../shared/zod-error';
