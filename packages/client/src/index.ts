export { createClient } from './client.ts';
export type { Client, ClientOptions, EventsPage, TaskListQuery, TaskPage, TokenCreated } from './client.ts';
export { ApiError, ClientError, ConnectionError } from './errors.ts';
export type { FollowOptions, TaskStreamEvent } from './follow.ts';
export type { FetchLike } from './http.ts';
export { SseParser, readSse } from './sse.ts';
export type { SseEvent } from './sse.ts';
export type { AuditPage, AuditQuery } from './dashboard.ts';
export type { FleetEvent, FleetFollowOptions } from './fleet.ts';
