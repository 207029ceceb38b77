import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { END, START, valuesTable, withTable } from '../../deploy/helm/values-table.mjs';
import { REPO } from '../support/agent.ts';

const CHART = join(REPO, 'deploy', 'helm', 'switchyard');
const values = readFileSync(join(CHART, 'values.yaml'), 'utf8');
const readme = readFileSync(join(CHART, 'README.md'), 'utf8');

describe("the chart's values table", () => {
  it('is the one values.yaml gives: regenerate it with node deploy/helm/values-table.mjs', () => {
    expect(withTable(readme, values)).toBe(readme);
    expect(() => execFileSync(process.execPath, [join(REPO, 'deploy', 'helm', 'values-table.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('lists every value with its default and the comment above it', () => {
    const table = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END));
    expect(table).toContain('| `api.retentionDays` | `90` | Days the output and status events of a finished task are kept; 0 keeps them forever (SWITCHYARD_RETENTION_DAYS). |');
    expect(table).toContain('| `api.resources` | `{"requests":{"cpu":"250m","memory":"256Mi"},"limits":{"memory":"1Gi"}}` | CPU and memory of the API container. |');
    expect(table).toContain('| `serviceAccount.name` | `""` | Defaults to &lt;release&gt;-switchyard. |');
  });

  it('goes stale when a value is added, and refuses a value nobody explained', () => {
    const more = values.replace('  port: 7700\n', '  port: 7700\n  # Something new.\n  newThing: 3\n');
    expect(withTable(readme, more)).not.toBe(readme);
    expect(withTable(readme, more)).toContain('| `api.newThing` | `3` | Something new. |');
    expect(() => valuesTable(values.replace('  port: 7700\n', '  port: 7700\n  silent: 1\n'))).toThrow(/no comment above api\.silent/);
  });
});
