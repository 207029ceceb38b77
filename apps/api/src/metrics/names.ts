import { findWorkspace, listWorkspaces, type DbHandle } from '@switchyard/db';

/**
 * Workspace ids to names, for labels: a name is bounded by the fleet and is what an operator
 * reads. Refreshed with the gauges; a workspace created since is looked up once by id.
 */
export class WorkspaceNames {
  private names = new Map<string, string>();

  constructor(private readonly h: DbHandle) {}

  refresh(): void {
    this.names = new Map(listWorkspaces(this.h.db).map((w) => [w.id, w.name]));
  }

  /** Every workspace's name, as of the last refresh. */
  all(): string[] {
    return [...this.names.values()];
  }

  /** The name of a workspace; '' for a pool task not yet pinned to one. */
  of(workspaceId: string | null | undefined): string {
    if (!workspaceId) return '';
    let name = this.names.get(workspaceId);
    if (name === undefined) {
      name = findWorkspace(this.h.db, workspaceId)?.name ?? 'unknown';
      this.names.set(workspaceId, name);
    }
    return name;
  }
}
