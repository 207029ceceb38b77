/**
 * The agent protocol's version, `major.minor`. A minor step adds what an older agent can ignore;
 * the API serves the current and the previous minor version, and the protocol of the last
 * release, and refuses older agents at register. 1.0 is the protocol of Switchyard v0.1.0 (the
 * last release), whose agents sent no version. 1.2 adds approvals (#15).
 */
export const AGENT_PROTOCOL_VERSION = '1.2';
const UNVERSIONED = '1.0';
/** The protocol of the last release: its agents are served until the next release. */
const RELEASED = '1.0';

/** The versions this build serves, newest first. */
export function supportedProtocolVersions(current = AGENT_PROTOCOL_VERSION, released = RELEASED): string[] {
  const [major, minor] = current.split('.').map(Number) as [number, number];
  const [relMajor, relMinor] = released.split('.').map(Number) as [number, number];
  // Every minor from the previous one down to the last release's (which may be the previous).
  const floor = relMajor === major ? Math.min(relMinor, minor - 1) : minor - 1;
  const out = [current];
  for (let m = minor - 1; m >= Math.max(0, floor); m--) out.push(`${major}.${m}`);
  return out;
}

/** Null when the API serves `version` (absent means a v0.1.0 agent), else why not, in words. */
export function protocolProblem(version: string | undefined, current = AGENT_PROTOCOL_VERSION, released = RELEASED): string | null {
  const v = version ?? UNVERSIONED;
  const supported = supportedProtocolVersions(current, released);
  if (supported.includes(v)) return null;
  const [major, minor] = v.split('.').map(Number) as [number, number];
  const [curMajor, curMinor] = current.split('.').map(Number) as [number, number];
  if (major > curMajor || (major === curMajor && minor > curMinor)) {
    return `agent protocol ${v} is newer than this API's (${current}): upgrade the Switchyard API first`;
  }
  return `agent protocol ${v} is too old for this API, which serves ${supported.join(', ')}: upgrade the agent to the API's release`;
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
