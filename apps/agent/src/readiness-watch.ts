import type { AgentRegister } from '@switchyard/core';
import type { AgentConfig } from './config.ts';
import { checkReadiness, readinessDue, type Readiness } from './readiness.ts';

/** What a change of readiness is judged by: a change means registering again. */
const shape = (r: AgentRegister | undefined) => JSON.stringify([r?.problems, r?.claudeVersion, r?.tmuxVersion, r?.simulated]);

/**
 * The agent's readiness as last checked, with a login hold's problem while it lasts, checked
 * again when due (readinessDue), one check at a time: a probe slower than the look interval is
 * never run twice at once.
 */
export class ReadinessWatch {
  current: Readiness | null = null;
  private loginHold: { until: number; problem: string } | null = null;
  private rechecking = false;

  constructor(
    private readonly config: AgentConfig,
    private readonly onChange: (next: Readiness) => void,
  ) {}

  /** Checks now and keeps the answer as current. */
  async check(): Promise<Readiness> {
    const r = await checkReadiness(this.config);
    if (this.loginHold && this.loginHold.until > Date.now()) r.report.problems.push(this.loginHold.problem);
    else this.loginHold = null;
    return (this.current = r);
  }

  /** Not ready with `problem` until `until`, whatever the checks say. */
  hold(until: number, problem: string): void {
    this.loginHold = { until, problem };
  }

  /** Checks again if due, and calls onChange when what the API was told no longer holds. */
  async recheck(force = false): Promise<void> {
    if (this.rechecking || (!force && !readinessDue(this.current))) return;
    this.rechecking = true;
    try {
      const before = this.current?.report;
      const next = await this.check();
      if (shape(next.report) !== shape(before)) this.onChange(next);
    } finally {
      this.rechecking = false;
    }
  }
}
