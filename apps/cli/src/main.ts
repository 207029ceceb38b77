import { processIo } from './io.ts';
import { run } from './run.ts';

// `switchyard … | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const code = await run(process.argv.slice(2), processIo());
// Exit once stdout has drained, so piped output is complete and no idle socket holds us up.
process.stdout.write('', () => process.exit(code));
