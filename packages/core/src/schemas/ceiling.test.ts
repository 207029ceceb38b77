import { describe, expect, it } from 'vitest';
import { ceilingProblem, ruleCovered } from './ceiling.ts';
import { ClaudeOptionsSchema, ToolRuleSchema } from './options.ts';
import { Identifier, LabelsSchema, ProseText, utf8Bytes } from './text.ts';

describe('tool rules', () => {
  it("take Claude Code's syntax and nothing that could be read as a flag or as two rules", () => {
    for (const ok of ['Read', 'Bash(git log:*)', 'Edit(src/**)', 'WebFetch(domain:example.com)', 'mcp__github__get_issue']) {
      expect(ToolRuleSchema.safeParse(ok).success, ok).toBe(true);
    }
    for (const bad of ['', '-Read', '--permission-mode', 'Read Write', 'Read,Write', 'Bash(', 'Bash()', 'Read\u0000', 'Bash(ls\n)', 'x'.repeat(600), 'Bash(echo (a))', 'Read(a(b),Bash,c)']) {
      expect(ToolRuleSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('are covered by the same rule or by their bare tool name', () => {
    expect(ruleCovered('Bash(git log:*)', ['Bash'])).toBe(true);
    expect(ruleCovered('Bash(git log:*)', ['Bash(git log:*)'])).toBe(true);
    expect(ruleCovered('Bash(rm:*)', ['Bash(git log:*)'])).toBe(false);
    expect(ruleCovered('Bash', ['Bash(git log:*)'])).toBe(false);
  });
});

describe('ceilingProblem', () => {
  const ceiling = { permissionModes: ['plan', 'default'] as const, allowedTools: ['Read', 'Bash(git:*)'] };
  it('names the mode, the rule or the model that exceeds the ceiling', () => {
    expect(ceilingProblem({ ...ceiling, permissionModes: [...ceiling.permissionModes] }, [], {}, 'acceptEdits')).toMatchObject({ field: 'permissionMode', allowed: ['plan', 'default'] });
    expect(ceilingProblem({ ...ceiling, permissionModes: ['plan'] }, [], { allowedTools: ['Read(x)', 'Write'] }, 'plan')).toMatchObject({ field: 'allowedTools', rule: 'Write' });
    expect(ceilingProblem({ ...ceiling, permissionModes: ['plan'] }, ['sonnet'], { fallbackModel: 'opus' }, 'plan')).toMatchObject({ field: 'fallbackModel' });
    expect(ceilingProblem({ ...ceiling, permissionModes: ['plan'] }, ['sonnet'], { model: 'sonnet', allowedTools: ['Bash(git:*)'] }, 'plan')).toBeNull();
  });
});

describe('text building blocks', () => {
  it('count bytes, not characters', () => {
    expect(utf8Bytes('aé日🙂')).toBe(1 + 2 + 3 + 4);
    expect(Identifier(6).safeParse('日日').success).toBe(true);
    expect(Identifier(5).safeParse('日日').success).toBe(false);
  });

  it('let prose carry pasted text, controls too, and refuse NUL and controls in names with the path', () => {
    expect(ProseText().safeParse('a\tb\r\nc\u001b[0m\u0007').success).toBe(true);
    expect(ProseText().safeParse('a\u0000').success).toBe(false);
    const r = ClaudeOptionsSchema.safeParse({ appendSystemPrompt: 'a\u0000' });
    expect(r.error?.issues[0]?.path).toEqual(['appendSystemPrompt']);
    expect(LabelsSchema.safeParse({ k: 'v\u009b' }).error?.issues[0]?.path).toEqual(['k']);
  });
});
