/**
 * What the runner shows in its tmux pane for whoever attaches, kept off the path that stores
 * output: lines are queued as written and rendered a few times a second, at most the last
 * PANE_LINES of them, written to the terminal off the event loop (a write to a pane blocks until
 * tmux has parsed it). When output outruns that, one note says how many lines were not shown;
 * the stored transcript has them all.
 */
import { write as writeAsync, writeSync } from 'node:fs';
import { renderLine } from '@switchyard/core';

const FLUSH_MS = 100;
/** Lines kept for the next render: more than a screen, so a burst still reads as a transcript. */
export const PANE_LINES = 200;
/** Bytes of one render at most: what tmux parses per flush stays small whatever the lines. */
const PANE_BYTES = 16 * 1024;

type Entry = { kind: 'line' | 'text'; text: string };

/** Where the pane's text goes: `write` calls `done` once written; `writeNow` blocks. */
export interface PaneOutput {
  write(text: string, done: () => void): void;
  writeNow(text: string): void;
}

/** The runner's stdout (the pane's terminal), written from libuv's thread pool. */
export const stdoutPane: PaneOutput = {
  write: (text, done) => writeAsync(1, text, () => done()),
  writeNow: (text) => {
    try {
      writeSync(1, text);
    } catch {
      // no terminal to show it on
    }
  },
};

export interface Pane {
  /** A line claude wrote to stdout: shown rendered. */
  line(text: string): void;
  /** Text as is (claude's stderr, the runner's own notes). */
  text(text: string): void;
  /** Shows what is queued, now and blocking, unless a write is still under way: the runner ends. */
  close(): void;
}

export function createPane(out: PaneOutput = stdoutPane, flushMs = FLUSH_MS): Pane {
  let queue: Entry[] = [];
  let skipped = 0;
  let timer: NodeJS.Timeout | null = null;
  let writing = false;
  const trim = (keep: number) => {
    if (queue.length <= keep) return;
    skipped += queue.length - keep;
    queue = queue.slice(-keep);
  };
  /** Renders what is queued: the last lines, within PANE_BYTES, after a note of what was left out. */
  const render = (): string => {
    trim(PANE_LINES);
    let text = queue.map((e) => (e.kind === 'line' ? renderLine(e.text).map((s) => `${s}\n`).join('') : e.text)).join('');
    queue = [];
    if (text.length > PANE_BYTES) {
      const cut = text.indexOf('\n', text.length - PANE_BYTES) + 1;
      for (let i = text.indexOf('\n'); i >= 0 && i < cut; i = text.indexOf('\n', i + 1)) skipped++;
      text = text.slice(cut);
    }
    if (skipped > 0) text = `… ${skipped} more lines not shown here (switchyard task logs has every line) …\n${text}`;
    skipped = 0;
    return text;
  };
  let windowStart = 0;
  let shownInWindow = 0;
  /**
   * Output at a human pace is shown at once (up to PANE_LINES lines per flushMs); faster output
   * waits for the window's end and is shown as its last lines.
   */
  const schedule = () => {
    if (writing || timer) return;
    const now = Date.now();
    if (now - windowStart >= flushMs) {
      windowStart = now;
      shownInWindow = 0;
    }
    timer = setTimeout(flush, shownInWindow + queue.length <= PANE_LINES ? 0 : windowStart + flushMs - now);
  };
  const flush = () => {
    timer = null;
    if (writing) return;
    shownInWindow += Math.min(queue.length, PANE_LINES);
    const text = render();
    if (!text) return;
    writing = true;
    out.write(text, () => {
      writing = false;
      if (queue.length > 0) schedule();
    });
  };
  const push = (entry: Entry) => {
    queue.push(entry);
    if (queue.length > PANE_LINES * 2) trim(PANE_LINES);
    schedule();
  };
  return {
    line: (text) => push({ kind: 'line', text }),
    text: (text) => push({ kind: 'text', text }),
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
      if (!writing) out.writeNow(render());
    },
  };
}
