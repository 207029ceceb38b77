import { describe, expect, it } from 'vitest';
import { attachPlan, splitWords, tmuxSocketOf } from './attach-argv.ts';

describe('task attach argv', () => {
  it('takes the socket from the API’s command, quoted as a shell would read it, without a shell', () => {
    expect(tmuxSocketOf('tmux -S /home/dev/.switchyard/tmux.sock attach -t sy-tsk_1')).toBe('/home/dev/.switchyard/tmux.sock');
    expect(tmuxSocketOf(`tmux -S '/tmp/a b/it'\\''s $(id)/tmux.sock' attach -t sy-tsk_1`)).toBe("/tmp/a b/it's $(id)/tmux.sock");
    expect(tmuxSocketOf('tmux attach -t sy-tsk_1')).toBeNull();
    expect(tmuxSocketOf('sh -S /x')).toBeNull();
    expect(splitWords("tmux 'unterminated")).toBeNull();
  });

  it('probes and attaches on the agent’s server, exact session names only', () => {
    expect(attachPlan('sy-tsk_1', '/s/tmux.sock', false)).toEqual({
      probe: ['-S', '/s/tmux.sock', 'has-session', '-t', '=sy-tsk_1'],
      attach: ['-S', '/s/tmux.sock', 'attach-session', '-t', '=sy-tsk_1'],
      unsetTmux: false,
    });
    expect(attachPlan('sy-tsk_1', '/s/tmux.sock', true).unsetTmux).toBe(true);
    expect(attachPlan('sy-tsk_1', null, true).attach).toEqual(['switch-client', '-t', '=sy-tsk_1']);
  });
});
