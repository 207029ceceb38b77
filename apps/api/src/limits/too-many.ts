import { SwitchyardError } from '@switchyard/core';

/** 429 `too_many_requests`, with the seconds to wait in `details.retryAfterSec` (and `Retry-After`). */
export class TooManyRequestsError extends SwitchyardError {
  constructor(message: string, retryAfterSec: number, details: Record<string, unknown> = {}) {
    super('too_many_requests', 429, message, { ...details, retryAfterSec: Math.max(1, Math.ceil(retryAfterSec)) });
  }
}
