import { describe, expect, it } from 'vitest';
import { buildClaudeArgs } from './claude-args.ts';

const base = { prompt: 'do it', sessionId: '11111111-2222-4333-8444-555555555555', resume: false, options: {} };

describe('buildClaudeArgs', () => {
  it('asks for stream-json with --verbose, which -p requires', () => {
    expect(buildClaudeArgs(base)).toEqual([
      '-p', '--output-format=stream-json', '--verbose', '--setting-sources=user', '--strict-mcp-config',
      `--session-id=${base.sessionId}`,
      '--', 'do it',
    ]);
  });

  it('resumes the session on later turns', () => {
    const args = buildClaudeArgs({ ...base, resume: true });
    expect(args).toContain(`--resume=${base.sessionId}`);
    expect(args.some((a) => a.startsWith('--session-id'))).toBe(false);
  });

  it('maps every option to its flag, one --flag=value argument per value', () => {
    const args = buildClaudeArgs({
      ...base,
      options: {
        model: 'opus',
        fallbackModel: 'sonnet',
        permissionMode: 'acceptEdits',
        allowedTools: ['Bash(git log:*)', 'Read'],
        disallowedTools: ['WebFetch'],
        maxTurns: 5,
        maxBudgetUsd: 2.5,
        appendSystemPrompt: 'Be brief.',
      },
    });
    expect(args).toEqual([
      '-p', '--output-format=stream-json', '--verbose', '--setting-sources=user', '--strict-mcp-config',
      `--session-id=${base.sessionId}`,
      '--model=opus', '--fallback-model=sonnet', '--permission-mode=acceptEdits',
      '--allowedTools=Bash(git log:*)', '--allowedTools=Read', '--disallowedTools=WebFetch',
      '--max-turns=5', '--max-budget-usd=2.5', '--append-system-prompt=Be brief.',
      '--', 'do it',
    ]);
  });

  it('never lets an option value be read as a flag: each is glued to its flag with =', () => {
    const args = buildClaudeArgs({
      ...base,
      options: {
        permissionMode: 'plan',
        allowedTools: ['Read', '--permission-mode', 'bypassPermissions', '--mcp-config', '/tmp/x.json'],
        disallowedTools: ['--dangerously-skip-permissions'],
        model: '-x',
        appendSystemPrompt: '--settings',
      },
    });
    const flags = new Set(['-p', '--output-format=stream-json', '--verbose', '--setting-sources=user', '--strict-mcp-config', `--session-id=${base.sessionId}`, '--']);
    const beforePrompt = args.slice(0, -1);
    // Every argument is either one of ours with no value, or `--flag=value` for a known flag.
    for (const a of beforePrompt) expect(flags.has(a) || /^--(model|permission-mode|allowedTools|disallowedTools|append-system-prompt)=/.test(a)).toBe(true);
    expect(beforePrompt.filter((a) => a.startsWith('--permission-mode'))).toEqual(['--permission-mode=plan']);
    expect(args).toContain('--allowedTools=--permission-mode');
    expect(args).toContain('--allowedTools=--mcp-config');
  });

  it('always appends the workspace ceiling’s disallowed tools to the task’s', () => {
    const ceiling = { permissionModes: ['default'], allowedTools: null, disallowedTools: ['WebFetch', 'Bash(rm:*)'] };
    const args = buildClaudeArgs({ ...base, ceiling, options: { disallowedTools: ['WebFetch', 'Write'] } });
    expect(args.filter((a) => a.startsWith('--disallowedTools'))).toEqual([
      '--disallowedTools=WebFetch', '--disallowedTools=Write', '--disallowedTools=Bash(rm:*)',
    ]);
  });

  it('passes the workspace’s admin-only options as values too', () => {
    const workspaceOptions = { addDirs: ['/srv/a', '/srv/b'], mcpConfig: { mcpServers: {} }, settings: { env: { X: '1' } }, systemPrompt: '--be terse' };
    const args = buildClaudeArgs({ ...base, workspaceOptions });
    expect(args.slice(-7, -2)).toEqual([
      '--system-prompt=--be terse', '--add-dir=/srv/a', '--add-dir=/srv/b', '--mcp-config={"mcpServers":{}}', '--settings={"env":{"X":"1"}}',
    ]);
  });

  it('wires the permission prompt after the workspace’s MCP config, so that its server wins a name clash', () => {
    const workspaceOptions = { addDirs: [], settings: null, systemPrompt: null, mcpConfig: { mcpServers: { switchyard: { command: 'evil' } } } };
    const args = buildClaudeArgs({ ...base, workspaceOptions }, { mcpConfigFile: '/agent/tasks/t/turns/1/mcp.json', tool: 'mcp__switchyard__approve' });
    expect(args.slice(-5, -2)).toEqual([
      '--mcp-config={"mcpServers":{"switchyard":{"command":"evil"}}}',
      '--mcp-config=/agent/tasks/t/turns/1/mcp.json',
      '--permission-prompt-tool=mcp__switchyard__approve',
    ]);
    expect(buildClaudeArgs(base).some((a) => a.startsWith('--permission-prompt-tool'))).toBe(false);
  });

  it('passes a hostile prompt as one untouched argument after --', () => {
    const prompt = `--help "quoted" $(rm -rf /) \`id\` 'x'\nline2 C-c Enter \u0001 ünï 🚀`;
    const args = buildClaudeArgs({ ...base, prompt });
    expect(args.at(-1)).toBe(prompt);
    expect(args.at(-2)).toBe('--');
  });
});
