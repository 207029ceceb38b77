// How a run ends early, as the real CLI ends it: --max-turns and --max-budget-usd.

/** Thrown when a run would start one model turn more than --max-turns allows. */
export class MaxTurnsReached extends Error {
  constructor(readonly maxTurns: number) {
    super(`Reached maximum number of turns (${maxTurns})`);
  }
}

/** Thrown once a reply has taken the run past --max-budget-usd: no further request is made. */
export class MaxBudgetReached extends Error {
  constructor(readonly maxBudgetUsd: number) {
    super(`Reached maximum budget ($${maxBudgetUsd})`);
  }
}
