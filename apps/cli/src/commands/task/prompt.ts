import type { Ctx } from '../../command.ts';
import { UsageError } from '../../errors.ts';
import { readAll } from '../../io.ts';

/** The prompt from the arguments, or from stdin when it is `-`. */
export async function readPrompt(ctx: Ctx, parts: string[]): Promise<string> {
  let prompt: string;
  if (parts.length === 1 && parts[0] === '-') {
    if (ctx.io.stdin.isTTY) ctx.io.stderr.write('Reading the prompt from stdin; end it with Ctrl-D.\n');
    prompt = (await readAll(ctx.io.stdin)).trimEnd();
  } else {
    if (parts.includes('-')) throw new UsageError("'-' (read the prompt from stdin) must be the only prompt argument");
    prompt = parts.join(' ');
  }
  if (!prompt.trim()) throw new UsageError('the prompt is empty');
  return prompt;
}
