export {
  SwitchyardError,
  ValidationError,
  UnauthorizedError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  PayloadTooLargeError,
  UnprocessableError,
  QuotaExceededError,
  UnavailableError,
  AgentErrorCodes,
  AgentUnknownError,
  AgentTooOldError,
  TurnNotCurrentError,
  OutputIncompleteError,
} from './errors.ts';
export type { ErrorBody, QuotaDetails, AgentErrorCode } from './errors.ts';
export { parseErrorEnvelope } from './http-envelope.ts';
export type { ErrorEnvelope } from './http-envelope.ts';
export { AGENT_PROTOCOL_VERSION, supportedProtocolVersions, protocolProblem, TESTED_CLAUDE_VERSIONS, claudeVersionTested } from './protocol.ts';
export {
  TASK_STATUSES,
  TERMINAL_STATUSES,
  isTerminal,
  canTransition,
  assertTransition,
  acceptsFollowUp,
  isKillable,
} from './task-state.ts';
export type { TaskStatus } from './task-state.ts';
export { newId, isTaskId, TASK_ID_PATTERN, tmuxSessionName } from './ids.ts';
export * from './schemas/index.ts';
export {
  parseStreamLine,
  TurnClassifier,
  summarizeLines,
  classifyTurn,
  AUTH_ERROR_KINDS,
  emptySummary,
} from './stream-json.ts';
export type { ParsedLine, TurnVerdict } from './stream-json.ts';
export { buildClaudeArgs, CONTINUATION_PROMPT } from './claude-args.ts';
export { renderLine } from './render.ts';
export { stdoutSink } from './log-sink.ts';
export { redactSecrets, REDACTED } from './log-redact.ts';
export { evaluatePolicy, ruleMatch, taskRuleFor, splitCommand, pathMatches, domainMatches, modeMayAsk, NEVER_ASKING_MODES, DEFAULT_APPROVAL_POLICY } from './approval-rules.ts';
export type { PolicyVerdict, RuleEffect } from './approval-rules.ts';
