import type { Logger } from 'pino';
import type { DbHandle, TokenRow } from '@switchyard/db';
import type { Scheduler } from '@switchyard/scheduler';
import type { Config } from './config.ts';
import type { AuthGuard } from './auth.ts';
import type { StreamSlots } from './limits/stream-slots.ts';
import type { ApprovalService } from './approvals/service.ts';
import type { TaskService } from './tasks/service.ts';

/** Who is calling: resolved from the bearer token by the auth middleware. */
export interface Principal {
  tokenId: string;
  name: string;
  kind: 'user' | 'agent';
  role: 'admin' | 'member' | 'viewer' | 'agent';
  /** The team a member or viewer belongs to; null for admins. */
  teamId: string | null;
  /** The only workspace an agent token acts for. */
  workspaceId: string | null;
  defaultWorkspaceId: string | null;
}

export interface AppDeps {
  db: DbHandle;
  scheduler: Scheduler;
  logger: Logger;
  config: Pick<Config, 'maxPromptBytes' | 'maxBodyBytes'> &
    Partial<Pick<Config, 'maxStreamsPerToken' | 'authFailuresPerMinute' | 'trustedProxies'>>;
  /** Pings Redis for /readyz. */
  redisPing: () => Promise<boolean>;
  /** The clock approval deadlines are read from; Date.now unless a test moves time. */
  now?: () => number;
}

/** What every route is handed: the app's resources and the task service built on them. */
export interface RouteDeps extends AppDeps {
  tasks: TaskService;
  /** Tool calls claude asked about, and their answers (#15). */
  approvals: ApprovalService;
  /** Throttles failed authentication per client address. */
  authGuard: AuthGuard;
  /** Caps live streams per token. */
  streams: StreamSlots;
}

export interface AppEnv {
  Variables: {
    principal: Principal;
    /** The caller's token row as authentication found it. */
    token: TokenRow;
    logger: Logger;
    requestId: string;
  };
}
