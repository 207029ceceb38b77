/** Small formatting helpers for tables and cards. */

export function since(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  return span(now - Date.parse(iso)) + ' ago';
}

/** 3 s, 4 m 10 s, 2 h 5 m, 3 d 4 h. */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} m`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function duration(ms: number | null | undefined): string {
  return ms === null || ms === undefined || ms === 0 ? '—' : span(ms);
}

export function usd(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n < 1 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function tokens(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)} k` : String(n);
}

export const STATUS_COLOR: Record<string, string> = {
  queued: 'gray',
  dispatched: 'cyan',
  running: 'blue',
  completed: 'green',
  failed: 'red',
  killed: 'orange',
  lost: 'grape',
  rate_limited: 'yellow',
  cancelled: 'gray',
};
