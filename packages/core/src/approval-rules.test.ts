import { describe, expect, it } from 'vitest';
import { domainMatches, evaluatePolicy, pathMatches, ruleMatch, splitCommand, taskRuleFor } from './approval-rules.ts';

const WD = '/work/repo';
const bash = (command: string) => ({ command });
const m = (rule: string, tool: string, input: Record<string, unknown>) => ruleMatch(rule, tool, input, WD);

describe('Claude Code rule syntax', () => {
  it('matches Bash by name, by prefix before :*, and by exact command', () => {
    expect(m('Bash', 'Bash', bash('rm -rf /'))).toBe('all');
    expect(m('Bash(git log:*)', 'Bash', bash('git log --oneline'))).toBe('all');
    expect(m('Bash(git log:*)', 'Bash', bash('git log'))).toBe('all');
    expect(m('Bash(git log:*)', 'Bash', bash('git logger'))).toBe('none');
    expect(m('Bash(git log:*)', 'Bash', bash('git push'))).toBe('none');
    expect(m('Bash(npm test)', 'Bash', bash('npm test'))).toBe('all');
    expect(m('Bash(npm test)', 'Bash', bash('npm test -- --watch'))).toBe('none');
    expect(m('Bash', 'Read', { file_path: '/x' })).toBe('none');
  });

  it('matches a compound command whole only when every part matches', () => {
    expect(m('Bash(git log:*)', 'Bash', bash('git log && rm -rf /'))).toBe('some');
    expect(m('Bash(git:*)', 'Bash', bash('git status; git log | git show'))).toBe('all');
    expect(m('Bash(echo:*)', 'Bash', bash('echo $(rm -rf /)'))).toBe('none');
    expect(m('Bash(echo:*)', 'Bash', bash('echo "a && b"'))).toBe('all');
    expect(splitCommand('a && b || c; d | e & f')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(splitCommand('echo `id`')).toBeNull();
  });

  it('matches Edit, Write and Read rules on the file path, relative to the workdir', () => {
    expect(m('Edit(src/**)', 'Edit', { file_path: '/work/repo/src/a/b.ts' })).toBe('all');
    expect(m('Edit(src/**)', 'Write', { file_path: '/work/repo/src/b.ts' })).toBe('all');
    expect(m('Edit(src/**)', 'Edit', { file_path: '/work/repo/test/b.ts' })).toBe('none');
    expect(m('Edit(src/**)', 'Edit', { file_path: '/work/repo/src/../../etc/passwd' })).toBe('none');
    expect(m('Edit(src/*.ts)', 'Edit', { file_path: '/work/repo/src/a/b.ts' })).toBe('none');
    expect(m('Edit(src/*.ts)', 'Edit', { file_path: '/work/repo/src/b.ts' })).toBe('all');
    expect(m('Write(//tmp/**)', 'Write', { file_path: '/tmp/x/y' })).toBe('all');
    expect(m('Write(//tmp/**)', 'Edit', { file_path: '/tmp/x/y' })).toBe('none');
    expect(m('Read(~/.ssh/**)', 'Read', { file_path: '/root/.ssh/id' })).toBe('none');
    expect(pathMatches('/docs/*.md', '/work/repo/docs/a.md', WD)).toBe(true);
  });

  it('matches WebFetch on the URL host, subdomains only with *.', () => {
    expect(domainMatches('domain:example.com', 'https://example.com/a')).toBe(true);
    expect(domainMatches('domain:example.com', 'https://evil-example.com/a')).toBe(false);
    expect(domainMatches('domain:example.com', 'https://api.example.com/a')).toBe(false);
    expect(domainMatches('domain:*.example.com', 'https://api.example.com/a')).toBe(true);
    expect(domainMatches('domain:example.com', 'not a url')).toBe(false);
    expect(m('WebFetch(domain:example.com)', 'WebFetch', { url: 'https://example.com' })).toBe('all');
  });

  it('matches MCP tools by name', () => {
    expect(m('mcp__github__get_issue', 'mcp__github__get_issue', {})).toBe('all');
    expect(m('mcp__github__get_issue', 'mcp__github__create_issue', {})).toBe('none');
  });
});

describe('a workspace policy', () => {
  const call = (command: string) => ({ toolName: 'Bash', input: bash(command), workdir: WD });

  it('takes the first matching rule, then the default', () => {
    const policy = { rules: [{ effect: 'allow' as const, rule: 'Bash(git log:*)' }, { effect: 'deny' as const, rule: 'Bash(git:*)' }], default: 'ask' as const };
    expect(evaluatePolicy(policy, call('git log -1'))).toEqual({ effect: 'allow', rule: 'Bash(git log:*)' });
    expect(evaluatePolicy(policy, call('git push'))).toEqual({ effect: 'deny', rule: 'Bash(git:*)' });
    expect(evaluatePolicy(policy, call('ls'))).toEqual({ effect: 'ask', rule: null });
  });

  it('never allows a compound command by a rule that covers one part, and denies if any part is denied', () => {
    const policy = { rules: [{ effect: 'allow' as const, rule: 'Bash(ls:*)' }, { effect: 'deny' as const, rule: 'Bash(rm:*)' }], default: 'ask' as const };
    expect(evaluatePolicy(policy, call('ls && curl x')).effect).toBe('ask');
    expect(evaluatePolicy(policy, call('ls; rm -rf /'))).toEqual({ effect: 'deny', rule: 'Bash(rm:*)' });
  });

  it('lets a rule granted for the task answer an ask, never a deny', () => {
    const policy = { rules: [{ effect: 'deny' as const, rule: 'Bash(npm publish:*)' }], default: 'ask' as const };
    expect(evaluatePolicy(policy, call('npm test'), ['Bash(npm:*)'])).toEqual({ effect: 'allow', rule: 'Bash(npm:*)' });
    expect(evaluatePolicy(policy, call('npm publish'), ['Bash(npm:*)']).effect).toBe('deny');
  });

  it('records the tool, or the first word of a Bash command, for the rest of a task', () => {
    expect(taskRuleFor('Bash', bash('npm test -- --run'))).toBe('Bash(npm:*)');
    expect(taskRuleFor('Edit', { file_path: '/x' })).toBe('Edit');
  });
});
