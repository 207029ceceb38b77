import type { Todo } from './schemas/index.ts';

type Block = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The task list newer Claude Code CLIs keep through TaskCreate / TaskUpdate tool calls (the
 * default `-p` toolset no longer has TodoWrite). A TaskCreate's id comes back in its tool result
 * ("Task #3 created successfully: …"); TaskUpdate then names that id.
 */
export class TaskListTracker {
  private readonly pending = new Map<string, Todo>();
  private readonly tasks = new Map<string, Todo>();
  /** Ids for results that do not name one: never reused, so a deleted task's id is not taken again. */
  private created = 0;

  /** Reads a tool_use block; true when it changed the list. */
  toolUse(block: Block): boolean {
    const input = (block.input ?? {}) as Block;
    if (block.name === 'TaskCreate') {
      const todo: Todo = { content: (str(input.subject) ?? str(input.description) ?? '').slice(0, 10_000), status: 'pending' };
      const activeForm = str(input.activeForm);
      if (activeForm) todo.activeForm = activeForm.slice(0, 10_000);
      this.pending.set(str(block.id) ?? String(this.pending.size), todo);
      return false;
    }
    if (block.name !== 'TaskUpdate') return false;
    const id = str(input.taskId) ?? (typeof input.taskId === 'number' ? String(input.taskId) : null);
    const todo = id === null ? undefined : this.tasks.get(id);
    if (!todo || id === null) return false;
    const status = str(input.status);
    if (status === 'deleted') this.tasks.delete(id);
    else {
      if (status) todo.status = status.slice(0, 64);
      const subject = str(input.subject);
      if (subject) todo.content = subject.slice(0, 10_000);
    }
    return true;
  }

  /** Reads a tool_result block: a TaskCreate's result says the id it got. True when the list grew. */
  toolResult(block: Block): boolean {
    const useId = str(block.tool_use_id);
    const todo = useId ? this.pending.get(useId) : undefined;
    if (!todo || !useId) return false;
    this.pending.delete(useId);
    if (block.is_error === true) return false;
    const text = typeof block.content === 'string' ? block.content : JSON.stringify(block.content ?? '');
    this.created += 1;
    const id = /Task #(\w+) created/.exec(text)?.[1] ?? `#${this.created}`;
    this.tasks.set(id, todo);
    return true;
  }

  todos(): Todo[] {
    return [...this.tasks.values()].map((t) => ({ ...t }));
  }
}
