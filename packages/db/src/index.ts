export { createDb, isStorageUnavailable, isUniqueViolation } from './client.ts';
export type { Db, DbHandle } from './client.ts';
export { snapshotDatabase, type Snapshot } from './backup.ts';
export { pruneExpired, vacuumFreePages, enableIncrementalVacuum, type RetentionPolicy, type PruneReport } from './retention.ts';
export * as schema from './schema.ts';
export { insertTeam, findTeam, listTeams, setQuota, setTeamRateLimit, quotaOf } from './teams.ts';
export type { TeamRow } from './teams.ts';
export { insertWorkspace, findWorkspace, findWorkspaceSettings, listWorkspaces, listPoolSettings, updateWorkspace } from './workspaces.ts';
export { workspaceName, teamName } from './names.ts';
export type { WorkspaceRow, WorkspaceSettings, NewWorkspace } from './workspaces.ts';
export { upsertAgent, findAgent, listAgents, touchAgent, markAgentLost } from './agents.ts';
export { listAgentTasks, listSilentAgents, workspacesWithWaitingWork, poolWorkWaits, touchAgentSeen, workMayWait } from './fleet.ts';
export type { AgentRow } from './agents.ts';
export {
  hashToken,
  generateToken,
  insertToken,
  findTokenBySecret,
  touchToken,
  listTokens,
  findToken,
  revokeToken,
  setTokenDefaultWorkspace,
} from './tokens.ts';
export type { TokenRow, NewToken } from './tokens.ts';
export {
  insertTask,
  firstTurnOf,
  findTask,
  findTaskByIdempotencyKey,
  listTasksByStatus,
  liveTasksPage,
  taskJobOf,
  waitingTasksPerQueue,
  oldestQueued,
  transitionTask,
  updateTask,
  listTaskEvents,
  countTasks,
  insertTurn,
  findTurn,
  listTurns,
  updateTurn,
} from './tasks.ts';
export type { LiveTask, TaskRow, TurnRow, TaskEventRow, NewTask, TransitionOptions } from './tasks.ts';
export { listTasks, type TaskFilter } from './task-list.ts';
export { countTasksCreatedOn, sumTeamCostSince, utcDay } from './usage.ts';
export { appendOutput, readOutput, tailOutput, countOutput } from './output.ts';
export { writeAudit, listAudit } from './audit.ts';
export type { AuditRow, AuditEntry } from './audit.ts';
export { countTasksByStatus, countWaitingByWorkspace, countOutputLinesStored } from './stats.ts';
export { searchTasks, ftsQuery, SEARCH_BUDGET, type TaskSearch, type SearchPage } from './task-search.ts';
export {
  sampleWorkspaces,
  lastSampleAt,
  listWorkspaceSamples,
  listTeamDaily,
  SAMPLE_RETENTION_MS,
  DAILY_RETENTION_DAYS,
} from './dashboard.ts';
export { indexPendingSearch } from './search-index.ts';
export type { WorkspaceSampleRow, TeamDailyRow } from './dashboard.ts';
export {
  insertApproval,
  findApproval,
  findApprovalByToolUse,
  listApprovals,
  settleApproval,
  listExpiredApprovals,
  listPendingApprovals,
  countPendingApprovals,
  countSlotsAwaitingApproval,
  addTaskApprovalRule,
} from './approvals.ts';
export type { ApprovalRow, NewApproval, ApprovalFilter } from './approvals.ts';
