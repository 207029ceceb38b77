import { describe, expect, it } from 'vitest';
import { parseErrorEnvelope } from './http-envelope.ts';

describe('parseErrorEnvelope', () => {
  it('reads our error shape with its code, details, Retry-After and request id', () => {
    const headers = new Headers({ 'retry-after': '12', 'x-request-id': 'req-1' });
    const body = JSON.stringify({ error: { code: 'quota_exceeded', message: 'too many', details: { limit: 'maxQueued' } } });
    expect(parseErrorEnvelope(429, body, headers)).toEqual({
      code: 'quota_exceeded',
      message: 'too many',
      details: { limit: 'maxQueued' },
      retryAfterSec: 12,
      requestId: 'req-1',
    });
  });

  it("keeps a proxy's page as the message under http_<status>", () => {
    const e = parseErrorEnvelope(502, '<html><body>Bad Gateway</body></html>', new Headers());
    expect(e.code).toBe('http_502');
    expect(e.message).toContain('Bad Gateway');
    expect(e.details).toBeUndefined();
  });

  it('falls back to the status text for an empty body, and ignores a date in Retry-After', () => {
    const e = parseErrorEnvelope(503, '', new Headers({ 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }), 'Service Unavailable');
    expect(e).toMatchObject({ code: 'http_503', message: 'Service Unavailable', retryAfterSec: null });
  });
});
