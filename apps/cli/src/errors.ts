/** Exit codes: the contract with scripts and CI. */
export const EXIT = {
  ok: 0,
  /** The task ended failed, killed, lost or cancelled (with --wait, --follow, logs -f). */
  taskFailed: 1,
  usage: 2,
  /** The API refused, failed, or could not be reached; or we are not logged in. */
  server: 3,
  /** Ctrl-C, as shells report SIGINT. */
  interrupted: 130,
} as const;

/** An error the CLI explains itself: a message, what to do next, and the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint: string | null,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command line is wrong: exit 2, and point at the help of the command. */
export class UsageError extends CliError {
  constructor(message: string, hint: string | null = null) {
    super(message, hint, EXIT.usage);
  }
}
