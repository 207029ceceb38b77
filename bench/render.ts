/** `tsx bench/render.ts`: BENCHMARKS.md again from bench/results.json (after editing bench/NOTES.md). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../test/support/agent.ts';
import { renderMarkdown, type Results } from './report.ts';

const results = JSON.parse(readFileSync(join(REPO, 'bench', 'results.json'), 'utf8')) as Results;
writeFileSync(join(REPO, 'BENCHMARKS.md'), renderMarkdown(results));
