import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Lease } from '@switchyard/core';
import { leaseProblem, ROOT_BYPASS_PROBLEM } from './lease-check.ts';

const lease = (options: Lease['options']): Lease => ({
  taskId: 'tsk_1', turn: 1, leaseToken: 't', prompt: 'p', sessionId: randomUUID(), resume: false, workdir: '/tmp',
  options, maxDurationSec: null, idleTimeoutSec: null, startSeq: 1,
});

describe('leaseProblem', () => {
  it('refuses bypassPermissions as root with the reason claude would give, and lets another user have it', () => {
    expect(leaseProblem(lease({ permissionMode: 'bypassPermissions' }), ['/tmp'], 0)).toBe(ROOT_BYPASS_PROBLEM);
    expect(leaseProblem(lease({ permissionMode: 'bypassPermissions' }), ['/tmp'], 1000)).toBeNull();
    expect(leaseProblem(lease({ permissionMode: 'acceptEdits' }), ['/tmp'], 0)).toBeNull();
  });

  it('checks effort, fallback models and a JSON schema', () => {
    expect(leaseProblem(lease({ effort: 'high', fallbackModel: 'a,b', jsonSchema: { type: 'object' } }), ['/tmp'], 1000)).toBeNull();
    expect(leaseProblem(lease({ effort: 'huge' as never }), ['/tmp'], 1000)).toMatch(/effort/);
    expect(leaseProblem(lease({ fallbackModel: 'a,--mcp-config' }), ['/tmp'], 1000)).toMatch(/fallbackModel/);
    expect(leaseProblem(lease({ jsonSchema: [] as never }), ['/tmp'], 1000)).toMatch(/jsonSchema/);
  });
});
