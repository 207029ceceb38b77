import type { AgentView, AuditEntry, TaskView, TeamUsage, TeamView, TokenView, WorkspaceView, ApprovalView } from '@switchyard/core';

// What the API answers, as a real run answered it (claude-sim standing in for claude), trimmed.
// Typed by the views the routes return, and parsed by their schemas in examples.test.ts: an
// example that no longer matches the API fails the build, not a reader.

const SESSION = '9ce7f6fd-04e2-4972-9f1a-cdfd2a8920c5';

export const agent: AgentView = {
  id: 'agt_0mwx3m8ype0e5627d23',
  workspace: 'payments-api',
  hostname: 'payments-api-7d9f8-xk2lp',
  agentVersion: '0.1.0',
  claudeVersion: '2.0.14 (Claude Code)',
  claudeVersionTested: true,
  tmuxVersion: 'tmux 3.3a',
  simulated: false,
  slots: 2,
  freeSlots: 1,
  problems: [],
  online: true,
  lastSeenAt: '2026-11-26T05:15:06.089Z',
  registeredAt: '2026-11-26T05:15:05.569Z',
};

export const task: TaskView = {
  id: 'tsk_0mwx3m90kffef46dbd4',
  workspace: 'payments-api',
  team: 'payments',
  status: 'completed',
  prompt: 'Fix the flaky retry test in src/retry.test.ts',
  workdir: '/work/payments-api',
  priority: 0,
  labels: { ticket: 'ENG-1234' },
  options: { permissionMode: 'acceptEdits' },
  maxDurationSec: null,
  idleTimeoutSec: null,
  sessionId: SESSION,
  exitCode: 0,
  result: 'Fixed the flaky retry test: the clock is now injected, so the backoff no longer races.',
  isError: false,
  costUsd: 0.42,
  numTurns: 7,
  durationMs: 84_210,
  usage: { inputTokens: 2_410, outputTokens: 1_869, cacheCreationInputTokens: 0, cacheReadInputTokens: 15_220 },
  todos: [{ content: 'Inject the clock into retry()', status: 'completed', activeForm: 'Injecting the clock' }],
  todoSource: 'TodoWrite',
  permissionDenials: [],
  error: null,
  rateLimitedUntil: null,
  attempts: 0,
  lastSeq: 42,
  turns: [
    {
      n: 1,
      prompt: 'Fix the flaky retry test in src/retry.test.ts',
      status: 'completed',
      exitCode: 0,
      outcome: 'exited',
      result: 'Fixed the flaky retry test: the clock is now injected, so the backoff no longer races.',
      isError: false,
      costUsd: 0.42,
      numTurns: 7,
      durationMs: 84_210,
      startSeq: 1,
      endSeq: 42,
      permissionDenials: [],
      createdAt: '2026-11-26T05:15:05.641Z',
      startedAt: '2026-11-26T05:15:05.746Z',
      finishedAt: '2026-11-26T05:16:30.034Z',
    },
  ],
  attach: { tmuxSession: 'sy-tsk_0mwx3m90kffef46dbd4', command: 'tmux -S /var/lib/switchyard-agent/tmux.sock attach -t sy-tsk_0mwx3m90kffef46dbd4' },
  createdBy: 'ci-bot',
  createdAt: '2026-11-26T05:15:05.641Z',
  updatedAt: '2026-11-26T05:16:30.034Z',
  startedAt: '2026-11-26T05:15:05.746Z',
  finishedAt: '2026-11-26T05:16:30.034Z',
};

/** The same task as it is answered at creation: queued, nothing run yet. */
export const queuedTask: TaskView = {
  ...task,
  status: 'queued',
  exitCode: null,
  result: null,
  isError: null,
  costUsd: 0,
  numTurns: 0,
  durationMs: 0,
  usage: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
  todos: [],
  todoSource: null,
  lastSeq: 0,
  turns: [{ ...task.turns[0]!, status: 'queued', exitCode: null, outcome: null, result: null, isError: null, costUsd: null, numTurns: null, durationMs: null, startSeq: null, endSeq: null, startedAt: null, finishedAt: null }],
  updatedAt: task.createdAt,
  startedAt: null,
  finishedAt: null,
};

export const workspace: WorkspaceView = {
  id: 'ws_0mwx3m9dx524e3dfb25',
  name: 'payments-api',
  team: 'payments',
  maxConcurrency: 2,
  paused: false,
  pool: false,
  rateLimitScope: 'workspace',
  labels: { repo: 'payments-api' },
  workdirRoots: ['/work'],
  permissionModes: ['plan', 'default', 'acceptEdits'],
  defaultPermissionMode: 'default',
  allowedTools: ['Bash', 'Edit', 'Glob', 'Grep', 'Read', 'TodoWrite', 'Write'],
  disallowedTools: [],
  addDirs: [],
  mcpConfig: null,
  settings: null,
  systemPrompt: null,
  models: [],
  rateLimitedUntil: null,
  ready: true,
  problems: [],
  agent,
  running: 1,
  queued: 0,
  createdAt: '2026-11-26T05:15:06.117Z',
};

export const team: TeamView = {
  id: 'team_0mwx3m9df88f7d0ae70',
  name: 'payments',
  quota: { maxRunning: 4, maxQueued: 100, tasksPerDay: 200, monthlyBudgetUsd: 500 },
  createdAt: '2026-11-26T05:15:06.099Z',
};

export const usage: TeamUsage = {
  team: 'payments',
  running: { current: 1, limit: 4 },
  queued: { current: 0, limit: 100 },
  tasksToday: { current: 12, limit: 200 },
  monthSpendUsd: { current: 37.5, limit: 500 },
  rateLimitedUntil: null,
};

export const token: TokenView = {
  id: 'tok_0mwx3m9ei6ee77d8314',
  kind: 'user',
  name: 'ci-bot',
  role: 'member',
  team: 'payments',
  workspace: null,
  defaultWorkspace: 'payments-api',
  prefix: 'syu_oKNq',
  createdAt: '2026-11-26T05:15:06.138Z',
  lastUsedAt: '2026-11-26T05:20:11.402Z',
  expiresAt: null,
  revokedAt: null,
};

export const agentToken: TokenView & { token: string } = {
  ...token,
  id: 'tok_0mwx3m9eef6aaa385d4',
  kind: 'agent',
  name: 'agent-payments-api',
  role: 'agent',
  workspace: 'payments-api',
  defaultWorkspace: null,
  prefix: 'sya_lMJC',
  lastUsedAt: null,
  token: 'sya_lMJC…the secret, shown only in this answer',
};

export const auditEntry: AuditEntry = {
  id: 6,
  ts: '2026-11-26T05:15:06.138Z',
  actor: 'bootstrap-admin',
  action: 'token.created',
  targetType: 'token',
  targetId: 'tok_0mwx3m9ei6ee77d8314',
  details: { name: 'ci-bot', role: 'member' },
};

/** Two stored output lines, as `GET /tasks/{id}/events` pages them. */
export const outputLines = [
  { seq: 41, ts: 1795670190012, line: '{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"The test passes 200 times in a row now."}]},"session_id":"' + SESSION + '"}' },
  { seq: 42, ts: 1795670190034, line: '{"type":"result","subtype":"success","is_error":false,"num_turns":7,"result":"Fixed the flaky retry test","total_cost_usd":0.42,"session_id":"' + SESSION + '"}' },
];

export const approval: ApprovalView = {
  id: 'apr_0mwx3m90kffef46dbd5',
  taskId: 'tsk_0mwx3m90kffef46dbd4',
  workspace: 'payments-api',
  team: 'payments',
  turn: 1,
  toolName: 'Bash',
  toolUseId: 'toolu_01A2b3C4d5E6f7G8h9',
  input: { command: 'npm test', description: 'Run the tests' },
  status: 'pending',
  decision: null,
  message: null,
  updatedInput: null,
  answeredBy: null,
  rule: null,
  createdAt: '2026-11-26T05:40:00.000Z',
  answeredAt: null,
  expiresAt: '2026-11-26T06:40:00.000Z',
};
