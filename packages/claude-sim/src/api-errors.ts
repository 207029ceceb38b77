import type { Transcript } from './transcript.ts';

/** What the real CLI (2.1.332) says when the API refuses a request, after its own retries. */
const API_ERRORS: Record<number, { error: string; retryError: string; type: string; text: string }> = {
  401: {
    error: 'authentication_failed',
    retryError: 'authentication_failed',
    type: 'authentication_error',
    text: 'Invalid API key · Fix external API key',
  },
  429: {
    error: 'rate_limit',
    retryError: 'rate_limit',
    type: 'rate_limit_error',
    text: 'API Error: Request rejected (429) · Number of request tokens has exceeded your per-minute rate limit',
  },
  500: {
    error: 'server_error',
    retryError: 'server_error',
    type: 'api_error',
    text: 'API Error: 500 Internal server error',
  },
  529: {
    error: 'server_error',
    retryError: 'overloaded',
    type: 'overloaded_error',
    text: 'API Error: 529 Overloaded. This is a server-side issue, usually temporary — try again in a moment.',
  },
};

/** `@sim api_error STATUS [RETRIES]`: the CLI retried RETRIES times, then gave up with an error result. */
export function apiErrorEnding(t: Transcript, status: number, retries: number) {
  const e = API_ERRORS[status] ?? { error: 'unknown', retryError: 'unknown', type: 'api_error', text: `API Error: ${status}` };
  for (let attempt = 1; attempt <= retries; attempt++) {
    t.system('api_retry', { attempt, max_retries: retries, retry_delay_ms: 500 * 2 ** (attempt - 1), error_status: status, error: e.retryError });
  }
  t.say(e.text, { error: e.error }, { synthetic: true });
  const extra = { terminal_reason: 'api_error', api_error_status: status, api_error_type: e.type };
  return { result: t.result({ isError: true, text: e.text, extra }), code: 1 };
}

/** The subscription usage-limit message, as the real CLI words it. */
export function usageLimitText(resetsAtSec: number): string {
  const d = new Date(resetsAtSec * 1000);
  const h = d.getUTCHours();
  const clock = `${h % 12 || 12}:${String(d.getUTCMinutes()).padStart(2, '0')}${h < 12 ? 'am' : 'pm'}`;
  return `You've hit your 5-hour limit · resets ${clock} (UTC)`;
}
