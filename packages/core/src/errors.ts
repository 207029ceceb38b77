/** Base of every error that crosses a boundary: one code, one HTTP status, optional details. */
export class SwitchyardError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(
    code: string,
    status: number,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = details;
  }

  toJSON(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export class ValidationError extends SwitchyardError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_request', 400, message, details);
  }
}

export class UnauthorizedError extends SwitchyardError {
  constructor(message = 'missing or invalid bearer token') {
    super('unauthorized', 401, message);
  }
}

export class ForbiddenError extends SwitchyardError {
  constructor(message = 'this token may not do that') {
    super('forbidden', 403, message);
  }
}

export class NotFoundError extends SwitchyardError {
  constructor(what: string, id?: string) {
    super('not_found', 404, id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }
}

export class ConflictError extends SwitchyardError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('conflict', 409, message, details);
  }
}

export class PayloadTooLargeError extends SwitchyardError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('payload_too_large', 413, message, details);
  }
}

export class UnprocessableError extends SwitchyardError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('unprocessable', 422, message, details);
  }
}

export interface QuotaDetails extends Record<string, unknown> {
  limit: string;
  max: number;
  current: number;
  /** ISO time when the limit frees, null when only a running task ending frees it. */
  resetsAt: string | null;
}

export class QuotaExceededError extends SwitchyardError {
  declare readonly details: QuotaDetails;
  constructor(message: string, details: QuotaDetails) {
    super('quota_exceeded', 429, message, details);
  }
}

export class UnavailableError extends SwitchyardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 503, message, undefined, options);
  }
}

// ---------------------------------------------------------------------------------------------
// The agent protocol's own errors. The agent matches on these codes, so each is one named
// constant here, used by the API that throws it and the agent that reads it.
// ---------------------------------------------------------------------------------------------

/** Every error code either end of the agent protocol may act on. */
export const AgentErrorCodes = {
  /** The agent id is not registered for this workspace (the API forgot it): register again. */
  agentUnknown: 'agent_unknown',
  /** The agent speaks a protocol version this API no longer serves: upgrade the agent. */
  agentTooOld: 'agent_too_old',
  /** The task is not expecting this turn from this agent (lost, killed, re-leased): stop it. */
  turnNotCurrent: 'turn_not_current',
  /** A turn's end was reported before all its output was stored: resend from `details.ackSeq`. */
  outputIncomplete: 'output_incomplete',
} as const;
export type AgentErrorCode = (typeof AgentErrorCodes)[keyof typeof AgentErrorCodes];

export class AgentUnknownError extends SwitchyardError {
  constructor(agentId: string) {
    super(AgentErrorCodes.agentUnknown, 404, `agent ${agentId} is not registered for this workspace; register again`);
  }
}

export class AgentTooOldError extends SwitchyardError {
  constructor(message: string, details: { protocolVersion: string; supported: string[] }) {
    super(AgentErrorCodes.agentTooOld, 426, message, details);
  }
}

export class TurnNotCurrentError extends SwitchyardError {
  constructor(taskId: string, turn: number) {
    super(AgentErrorCodes.turnNotCurrent, 409, `task ${taskId} is not expecting turn ${turn} from this agent`);
  }
}

export class OutputIncompleteError extends SwitchyardError {
  constructor(ackSeq: number, lastSeq: number) {
    super(AgentErrorCodes.outputIncomplete, 409, `output stored up to seq ${ackSeq}, turn ended at ${lastSeq}`, {
      ackSeq,
    });
  }
}
