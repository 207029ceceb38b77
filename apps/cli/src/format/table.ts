export interface Column<T> {
  header: string;
  get(row: T): string;
  /** Longer cells are cut with an ellipsis. */
  max?: number;
  align?: 'left' | 'right';
}

const ANSI = /\x1b\[[0-9;]*m/g;
const HAS_ANSI = /\x1b\[/;

/** Width on screen: code points, colour codes excluded. */
export function visibleWidth(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

/** One line, at most `max` wide, cut with "…". */
export function fit(s: string, max: number): string {
  const flat = s.replace(/\s*\n\s*/g, ' ⏎ ').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…` : flat;
}

/** A kubectl-style table: upper-case headers, columns three spaces apart, no borders. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) =>
    columns.map((c) => {
      const v = c.get(r) || '-';
      return c.max !== undefined && !HAS_ANSI.test(v) ? fit(v, c.max) : v;
    }),
  );
  const widths = columns.map((c, i) => Math.max(visibleWidth(c.header), ...cells.map((row) => visibleWidth(row[i]!))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => {
        const pad = ' '.repeat(widths[i]! - visibleWidth(v));
        if (columns[i]!.align === 'right') return pad + v;
        return i === vals.length - 1 ? v : v + pad;
      })
      .join('   ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** `Key:  value` lines with the keys aligned; entries with a null value are left out. */
export function details(entries: Array<[string, string | null | undefined]>): string {
  const shown = entries.filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined && e[1] !== '');
  const w = Math.max(...shown.map(([k]) => k.length)) + 2;
  return shown
    .map(([k, v]) => {
      const [first, ...rest] = v.split('\n');
      return [`${`${k}:`.padEnd(w)}${first}`, ...rest.map((l) => `${' '.repeat(w)}${l}`)].join('\n');
    })
    .join('\n') + '\n';
}
