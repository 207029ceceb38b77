import { describe, expect, it } from 'vitest';
import { AGENT_PROTOCOL_VERSION, claudeVersionTested, protocolProblem, supportedProtocolVersions } from './protocol.ts';

describe('agent protocol versions', () => {
  it('serves the current and the previous minor version, and a v0.1.0 agent that sends none', () => {
    expect(supportedProtocolVersions('1.1')).toEqual(['1.1', '1.0']);
    // 1.0 is the last release's protocol: still served by 1.2 (#15 added approvals in 1.2).
    expect(supportedProtocolVersions('1.2')).toEqual(['1.2', '1.1', '1.0']);
    expect(protocolProblem('1.0', '1.2')).toBeNull();
    expect(protocolProblem(AGENT_PROTOCOL_VERSION)).toBeNull();
    expect(protocolProblem('1.0', '1.1')).toBeNull();
    expect(protocolProblem(undefined, '1.1')).toBeNull();
  });

  it('refuses an agent two minors behind, or of another major, saying to upgrade the agent', () => {
    expect(protocolProblem('1.0', '1.2', '1.1')).toMatch(/too old.*serves 1\.2, 1\.1.*upgrade the agent/);
    expect(protocolProblem(undefined, '1.3', '1.1')).toMatch(/1\.0 is too old/);
    expect(supportedProtocolVersions('1.3', '1.1')).toEqual(['1.3', '1.2', '1.1']);
    expect(protocolProblem('0.9', '1.1')).toMatch(/upgrade the agent/);
  });

  it('refuses an agent newer than the API, saying to upgrade the API', () => {
    expect(protocolProblem('1.2', '1.1')).toMatch(/newer.*upgrade the Switchyard API/);
    expect(protocolProblem('2.0', '1.1')).toMatch(/upgrade the Switchyard API/);
  });
});

describe('claude versions the contract suite has covered', () => {
  it('flags a version outside the tested set, and judges nothing for claude-sim or no claude', () => {
    expect(claudeVersionTested('2.1.332 (Claude Code)', false)).toBe(true);
    expect(claudeVersionTested('2.1.400 (Claude Code)', false)).toBe(false);
    expect(claudeVersionTested('2.0.0-sim (claude-sim)', true)).toBeNull();
    expect(claudeVersionTested(null, false)).toBeNull();
  });
});
