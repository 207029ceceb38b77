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
} from './errors.ts';
export type { ErrorBody, QuotaDetails } from './errors.ts';
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
export * from './schemas.ts';
export {
  parseStreamLine,
  TurnClassifier,
  summarizeLines,
  classifyTurn,
  emptySummary,
} from './stream-json.ts';
export type { ParsedLine, TurnVerdict } from './stream-json.ts';
export { buildClaudeArgs } from './claude-args.ts';
export { renderLine } from './render.ts';
export { stdoutSink } from './log-sink.ts';
