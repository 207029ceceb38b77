import type { Group } from '../../command.ts';
import { attachCommand } from './attach.ts';
import { createCommand } from './create.ts';
import { killCommand } from './kill.ts';
import { listCommand } from './list.ts';
import { logsCommand } from './logs.ts';
import { sendCommand } from './send.ts';
import { showCommand } from './show.ts';
import { waitCommand } from './wait.ts';

export const taskGroup: Group = {
  name: 'task',
  aliases: ['tasks'],
  summary: 'Create, watch and steer Claude Code tasks',
  commands: [createCommand, listCommand, showCommand, logsCommand, sendCommand, waitCommand, killCommand, attachCommand],
};
