/** "just now", "42s ago", "3m ago", "5h ago", "2d ago", "in 4m"; "-" for no time. */
export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const diff = now - t;
  const abs = Math.abs(diff);
  if (abs < 5_000) return 'just now';
  const span = shortSpan(abs);
  return diff >= 0 ? `${span} ago` : `in ${span}`;
}

/** The largest whole unit: 42s, 3m, 5h, 2d, 1y. */
export function shortSpan(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  if (s < 365 * 86_400) return `${Math.floor(s / 86_400)}d`;
  return `${Math.floor(s / (365 * 86_400))}y`;
}

/** A run time: 850ms, 1.5s, 3m12s, 2h05m, 3d4h. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s / 60}m`;
  if (s < 86_400) {
    const m = Math.floor((s % 3600) / 60);
    return m ? `${Math.floor(s / 3600)}h${String(m).padStart(2, '0')}m` : `${Math.floor(s / 3600)}h`;
  }
  const h = Math.floor((s % 86_400) / 3600);
  return h ? `${Math.floor(s / 86_400)}d${h}h` : `${Math.floor(s / 86_400)}d`;
}

/** Local wall-clock time with the relative time: `14:03:10 (in 4m)`. */
export function clock(iso: string, now: number): string {
  const d = new Date(iso);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  const time = d.toTimeString().slice(0, 8);
  return `${sameDay ? time : `${d.toISOString().slice(0, 10)} ${time}`} (${ago(iso, now)})`;
}
