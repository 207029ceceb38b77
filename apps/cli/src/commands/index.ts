import type { Command, Group } from '../command.ts';
import { adminGroup } from './admin.ts';
import { approvalsCommand, approveCommand, denyCommand } from './approvals.ts';
import { agentGroup } from './agent.ts';
import { loginCommand, logoutCommand, whoamiCommand } from './session.ts';
import { taskGroup } from './task/index.ts';
import { teamGroup } from './team.ts';
import { tokenGroup } from './token.ts';
import { workspaceGroup } from './workspace.ts';

/** The whole command tree, in the order help shows it. */
export const GROUPS: Group[] = [taskGroup, workspaceGroup, teamGroup, tokenGroup, agentGroup, adminGroup];
export const TOP_COMMANDS: Command[] = [approvalsCommand, approveCommand, denyCommand, loginCommand, logoutCommand, whoamiCommand];
