// What of a stream-json transcript Switchyard depends on, as one line per event: the event
// kinds in order and the fields Switchyard reads, without ids, times, costs or paths. Two
// transcripts with equal signatures look the same to Switchyard.

type Event = Record<string, unknown>;

const has = (o: Record<string, unknown>, k: string) => (k in o ? k : `!${k}`);

function assistant(e: Event): string {
  const message = (e.message ?? {}) as { content?: { type: string; name?: string }[] };
  const blocks = (message.content ?? []).map((b) => (b.type === 'tool_use' ? `tool_use:${b.name}` : b.type));
  return `assistant [${blocks.join(',')}]${e.error ? ` error=${String(e.error)}` : ''}`;
}

function user(e: Event): string {
  const message = (e.message ?? {}) as { content?: Record<string, unknown>[] };
  const blocks = (message.content ?? []).map((b) => (b.type === 'tool_result' ? `tool_result ${'is_error' in b ? `is_error=${String(b.is_error)}` : '(no is_error)'}` : String(b.type)));
  return `user [${blocks.join(',')}]`;
}

function result(e: Event): string {
  const fields = [
    `subtype=${String(e.subtype)}`,
    `is_error=${String(e.is_error)}`,
    has(e, 'result'),
    has(e, 'errors'),
    has(e, 'total_cost_usd'),
    has(e, 'usage'),
    has(e, 'num_turns'),
    has(e, 'permission_denials'),
    `denials=${Array.isArray(e.permission_denials) ? e.permission_denials.length : 0}`,
  ];
  if (e.api_error_status !== undefined && e.api_error_status !== null) fields.push(`api_error_status=${String(e.api_error_status)}`);
  return `result ${fields.join(' ')}`;
}

function system(e: Event): string {
  switch (e.subtype) {
    case 'init':
      return `system/init ${has(e, 'session_id')} ${has(e, 'model')} ${has(e, 'permissionMode')}`;
    case 'permission_denied':
      return `system/permission_denied tool=${String(e.tool_name)} ${has(e, 'tool_use_id')} ${has(e, 'message')}`;
    case 'api_retry':
      return `system/api_retry status=${String(e.error_status)} error=${String(e.error)}`;
    default:
      return `system/${String(e.subtype)}`;
  }
}

export function signature(events: Event[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case 'system':
        return system(e);
      case 'assistant':
        return assistant(e);
      case 'user':
        return user(e);
      case 'result':
        return result(e);
      case 'rate_limit_event':
        return `rate_limit_event status=${String((e.rate_limit_info as Event | undefined)?.status)}`;
      default:
        return String(e.type);
    }
  });
}

/** Assistant events that carry one block each of one message share its id, as the real CLI's do. */
export function messageIdsShared(events: Event[]): boolean {
  const ids = events.filter((e) => e.type === 'assistant').map((e) => (e.message as { id?: string }).id);
  return ids.every((id) => typeof id === 'string' && id.length > 0);
}
