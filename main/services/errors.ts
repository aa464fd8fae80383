// An error a domain service raises on purpose, with the code its callers receive: the API passes
// the code to the UI, the command line turns the expected ones into usage errors.
import type { ApiErrorCode } from '../../shared/api';

export class ServiceError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
