/**
 * The agent protocol's version, `major.minor`. A minor step adds what an older agent can ignore;
 * the API serves the current and the previous minor version and refuses older agents at
 * register. 1.0 is the protocol of Switchyard v0.1.0, whose agents sent no version.
 */
export const AGENT_PROTOCOL_VERSION = '1.1';
const UNVERSIONED = '1.0';

/** The versions this build serves, newest first. */
export function supportedProtocolVersions(current = AGENT_PROTOCOL_VERSION): string[] {
  const [major, minor] = current.split('.').map(Number) as [number, number];
  return minor > 0 ? [current, `${major}.${minor - 1}`] : [current];
}

/** Null when the API serves `version` (absent means a v0.1.0 agent), else why not, in words. */
export function protocolProblem(version: string | undefined, current = AGENT_PROTOCOL_VERSION): string | null {
  const v = version ?? UNVERSIONED;
  const supported = supportedProtocolVersions(current);
  if (supported.includes(v)) return null;
  const [major, minor] = v.split('.').map(Number) as [number, number];
  const [curMajor, curMinor] = current.split('.').map(Number) as [number, number];
  if (major > curMajor || (major === curMajor && minor > curMinor)) {
    return `agent protocol ${v} is newer than this API's (${current}): upgrade the Switchyard API first`;
  }
  return `agent protocol ${v} is too old for this API, which serves ${supported.join(' and ')}: upgrade the agent to the API's release`;
}

/**
 * The Claude Code versions the contract suite (test/claude-contract) has run against. An agent
 * whose claude is another version is flagged on its workspace: it may work, but nothing proved it.
 */
export const TESTED_CLAUDE_VERSIONS: readonly string[] = ['2.1.332'];

/**
 * Whether `claude --version` output (`2.1.332 (Claude Code)`) names a tested version; null when
 * there is nothing to judge (no claude, or claude-sim).
 */
export function claudeVersionTested(reported: string | null, simulated: boolean): boolean | null {
  if (!reported || simulated) return null;
  const version = /^(\d+\.\d+\.\d+)/.exec(reported.trim())?.[1];
  return version !== undefined && TESTED_CLAUDE_VERSIONS.includes(version);
}
