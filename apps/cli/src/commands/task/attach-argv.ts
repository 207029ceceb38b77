/**
 * The API shows how to attach as a command line (`tmux -S <socket> attach -t sy-<id>`, the
 * socket quoted for a POSIX shell). The CLI never hands it to a shell: it splits it into words
 * itself and takes only the socket from it.
 */

/** Splits a command line into words: single quotes, double quotes and backslashes as sh reads them. */
export function splitWords(line: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return null;
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (; j < line.length && line[j] !== '"'; j++) text += line[j] === '\\' && /["\\$`]/.test(line[j + 1] ?? '') ? line[++j] : line[j];
      if (j >= line.length) return null;
      word = (word ?? '') + text;
      i = j;
    } else if (c === '\\') {
      word = (word ?? '') + (line[++i] ?? '');
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The `-S <socket>` of the API's tmux command, or null when it names none (or is not tmux). */
export function tmuxSocketOf(command: string): string | null {
  const words = splitWords(command);
  if (!words || words[0] !== 'tmux') return null;
  const at = words.indexOf('-S');
  return at > 0 && at + 1 < words.length ? words[at + 1]! : null;
}

/**
 * The tmux argument arrays for one session: probe, then attach. On the agent's private server
 * a tmux client already inside another server attaches nested (TMUX unset), since switch-client
 * cannot reach another server.
 */
export function attachPlan(session: string, socket: string | null, insideTmux: boolean) {
  const server = socket ? ['-S', socket] : [];
  const target = ['-t', `=${session}`];
  const switchClient = insideTmux && !socket;
  return {
    probe: [...server, 'has-session', ...target],
    attach: [...server, switchClient ? 'switch-client' : 'attach-session', ...target],
    unsetTmux: insideTmux && Boolean(socket),
  };
}
