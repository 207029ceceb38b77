import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { TESTED_CLAUDE_VERSIONS } from '@switchyard/core';
import { REPO } from '../support/agent.ts';
import { apiHeapArgs } from '../../scripts/api-node.mjs';

// Static checks of the deployment files. No Docker engine, Helm or cluster is assumed: images
// are not built and the chart is not rendered here (see deploy/README.md).

const read = (p: string) => readFileSync(join(REPO, p), 'utf8');
const CHART = 'deploy/helm/switchyard';

/** Every SWITCHYARD_ variable or REDIS_URL named in the code (apps and scripts). */
function namesReadByCode(): Set<string> {
  const out = execFileSync('grep', ['-rhoE', '(SWITCHYARD_[A-Z_]+|REDIS_URL)', 'apps', 'scripts', '--include=*.ts', '--include=*.mjs'], { cwd: REPO, encoding: 'utf8' });
  return new Set(out.split('\n').filter(Boolean));
}

function envNames(text: string): string[] {
  return [...new Set(text.match(/\b(SWITCHYARD_[A-Z_]+|REDIS_URL)\b/g) ?? [])];
}

/**
 * Makes a Helm template parseable as plain YAML: lines holding only control actions (if, else,
 * end, with, range, define) and lines that only inject YAML (include/toYaml … nindent) are
 * dropped; every other `{{ … }}` becomes the scalar `templated`. Parsing the result proves the
 * indentation and structure of the literal YAML around the templating, and that both branches of
 * each `if` sit where they should. It does NOT prove what Helm renders: not the injected
 * blocks, not the functions, not the values' types. `helm template` / `helm lint` would.
 */
function flatten(template: string): string {
  return template
    .split('\n')
    .filter((l) => !/^\s*\{\{-?\s*(if|else|end|with|range|define)\b.*\}\}\s*$/.test(l))
    .filter((l) => !/^\s*\{\{-?\s*(include|toYaml)\b.*\}\}\s*$/.test(l))
    .map((l) => l.replace(/\{\{.*?\}\}/g, 'templated'))
    .join('\n');
}

function templateFiles(): string[] {
  return readdirSync(join(REPO, CHART, 'templates')).filter((f) => f.endsWith('.yaml')).sort();
}

describe('docker-compose.yml and Dockerfile', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<string, { image?: string; command?: string[]; build?: { context: string; target: string }; environment?: Record<string, string> }>;
  };
  const dockerfile = read('Dockerfile');

  it('defines redis, api and agent; every build target exists in the Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['agent', 'api', 'redis']);
    expect(compose.services.redis!.image).toMatch(/^redis:7/);
    expect(compose.services.redis!.command!.join(' ')).toMatch(/--appendonly yes.*--maxmemory-policy noeviction/);
    for (const s of ['api', 'agent']) {
      const build = compose.services[s]!.build!;
      expect(existsSync(join(REPO, build.context, 'Dockerfile')), `${s} build context`).toBe(true);
      expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${build.target}$`, 'm'));
    }
    expect(compose.services.api!.environment).toMatchObject({ REDIS_URL: 'redis://redis:6379', SWITCHYARD_HOST: '0.0.0.0', SWITCHYARD_BOOTSTRAP_LOCAL: '1' });
    expect(compose.services.agent!.environment).toMatchObject({ SWITCHYARD_URL: 'http://api:7700', SWITCHYARD_AGENT_TOKEN_FILE: '/data/agent-token' });
  });

  it('copies and starts files that exist, and sets only variables the code reads', () => {
    for (const entry of dockerfile.match(/apps\/[a-z]+\/dist\/main\.js/g)!) expect(existsSync(join(REPO, entry)), entry).toBe(true);
    // Local COPY sources (not --from=stage ones).
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const src of m[1]!.split(/\s+/)) expect(existsSync(join(REPO, src)), `COPY ${src}`).toBe(true);
    }
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci/);
    const known = namesReadByCode();
    for (const name of envNames(read('docker-compose.yml'))) expect(known, name).toContain(name);
    for (const name of envNames(dockerfile)) expect(known, `Dockerfile: ${name}`).toContain(name);
  });
});

describe('what the images, compose and the chart start', () => {
  it('is the built JavaScript under plain node: no tsx, no TypeScript entry', () => {
    const dockerfile = read('Dockerfile');
    const commands = [
      ...[...dockerfile.matchAll(/^(?:CMD|ENTRYPOINT) (.+)$/gm)].map((m) => `Dockerfile: ${m[1]}`),
      ...Object.entries((parse(read('docker-compose.yml')) as { services: Record<string, { command?: string[] }> }).services).map(([name, s]) => `compose ${name}: ${(s.command ?? []).join(' ')}`),
      ...[...templateFiles().map((x) => `${CHART}/templates/${x}`), `${CHART}/examples/workspace-agent-sidecar.yaml`].flatMap((f) =>
        [...read(f).matchAll(/^\s*(?:command|args): (.+)$/gm)].map((m) => `${f}: ${m[1]}`),
      ),
    ];
    expect(commands.filter((c) => c.includes('node'))).toHaveLength(4);
    for (const c of commands) expect(c, c).not.toMatch(/\btsx\b|\.ts\b/);
    // The images build the bundles they start.
    expect(dockerfile).toMatch(/^RUN node scripts\/build\.mjs$/m);
  });
});

/** The Dockerfile's stages by name: each one's FROM image and its instructions. */
function dockerStages(text: string): Map<string, { from: string; lines: string[] }> {
  const stages = new Map<string, { from: string; lines: string[] }>();
  const joined = text.replace(/\\\n/g, ' ');
  for (const chunk of joined.split(/^(?=FROM )/m).filter((c) => c.startsWith('FROM '))) {
    const [head, ...rest] = chunk.split('\n');
    const m = /^FROM (\S+) AS (\S+)$/.exec(head!.trim());
    if (m) stages.set(m[2]!, { from: m[1]!, lines: rest.map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) });
  }
  return stages;
}

/**
 * The Node version range the pinned Claude Code CLI asks for (`engines.node` of its
 * package.json). Read from the copy the contract suite installs when it is there, so a new pin
 * with a new range fails here until the Dockerfile follows.
 */
function claudeNodeEngine(version: string): string {
  const cached = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'switchyard', `claude-code-${version}`, 'node_modules', '@anthropic-ai', 'claude-code', 'package.json');
  if (existsSync(cached)) return (JSON.parse(readFileSync(cached, 'utf8')) as { engines: { node: string } }).engines.node;
  // As published for 2.1.332, when the contract suite has not installed it on this machine.
  return '>=22.0.0';
}

describe('the images (parsed only: no Docker engine here builds them)', () => {
  const stages = dockerStages(read('Dockerfile'));

  it('runs the API from its compiled bundle as the node user', () => {
    const api = stages.get('api')!;
    const cmd = api.lines.findLast((l) => l.startsWith('CMD '))!;
    expect(JSON.parse(cmd.slice(4))).toEqual(['node', '--enable-source-maps', 'apps/api/dist/main.js']);
    // A bounded heap, as the chart and npm start give it: the chart's default size, npm start's flags.
    const heapMB = /^\s+heapMB: (\d+)$/m.exec(read('deploy/helm/switchyard/values.yaml'))![1];
    expect(api.lines).toContain(`ENV NODE_OPTIONS="${apiHeapArgs(Number(heapMB)).join(' ')}"`);
    // The API stage builds on the stage that ran the build.
    expect(api.from).toBe('base');
    expect(stages.get('base')!.lines).toContain('RUN node scripts/build.mjs');
    expect(api.lines).toContain('RUN node scripts/build-dashboard.mjs');
    const users = api.lines.filter((l) => l.startsWith('USER '));
    expect(users.at(-1)).toBe('USER node');
    expect(api.lines.indexOf('USER node')).toBeLessThan(api.lines.indexOf(cmd));
  });

  it('bakes the tested Claude Code CLI into the agent, on the Node it asks for, run as the node user', () => {
    const agent = stages.get('agent')!;
    const pinned = TESTED_CLAUDE_VERSIONS[0]!;
    expect(agent.lines).toContain(`ARG CLAUDE_CODE_VERSION=${pinned}`);
    const install = agent.lines.find((l) => l.includes('npm install -g'))!;
    expect(install).toContain('"@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION"');
    expect(install).toMatch(/&& claude --version/);
    const major = Number(/^node:(\d+)-/.exec(agent.from)?.[1]);
    const min = Number(/^>=(\d+)\./.exec(claudeNodeEngine(pinned))?.[1]);
    expect(min).toBeGreaterThan(0);
    expect(major).toBeGreaterThanOrEqual(min);
    // The agent's bundles come from the build stage; it never runs TypeScript.
    expect(agent.lines).toContain('COPY --from=base /app/ /app/');
    expect(agent.lines.findLast((l) => l.startsWith('USER '))).toBe('USER node');
    expect(JSON.parse(agent.lines.findLast((l) => l.startsWith('CMD '))!.slice(4))).toEqual(['node', '--enable-source-maps', 'apps/agent/dist/main.js']);
    // Every stage but the agent builds on the Node the repository targets (engines in package.json).
    for (const [name, stage] of stages) if (name !== 'agent' && !['api', 'base'].includes(stage.from)) expect(stage.from, name).toMatch(/^node:20-/);
  });
});

describe('helm chart', () => {
  const values = parse(read(`${CHART}/values.yaml`)) as Record<string, unknown>;

  it('has a parseable Chart.yaml and values.yaml', () => {
    expect(parse(read(`${CHART}/Chart.yaml`))).toMatchObject({ apiVersion: 'v2', name: 'switchyard' });
    expect(values).toHaveProperty('redis.bundled', true);
  });

  it('has templates that are YAML around their templating, naming real commands and variables', () => {
    const known = namesReadByCode();
    expect(templateFiles()).toEqual(['api.yaml', 'ingress.yaml', 'networkpolicy.yaml', 'redis.yaml', 'serviceaccount.yaml']);
    for (const f of [...templateFiles().map((x) => `${CHART}/templates/${x}`), `${CHART}/examples/workspace-agent-sidecar.yaml`]) {
      const text = read(f);
      const docs = parseAllDocuments(flatten(text));
      for (const doc of docs) expect(doc.errors, f).toEqual([]);
      expect(docs.some((d) => (d.toJS() as { kind?: string } | null)?.kind), `${f} has a manifest`).toBe(true);
      for (const name of envNames(text)) expect(known, `${f}: ${name}`).toContain(name);
      for (const entry of text.match(/apps\/[a-z]+\/dist\/main\.js/g) ?? []) expect(existsSync(join(REPO, entry)), entry).toBe(true);
    }
  });

  it('reads only values that values.yaml defines', () => {
    const files = [...templateFiles(), 'NOTES.txt', '_helpers.tpl'].map((x) => `${CHART}/templates/${x}`);
    for (const f of files) {
      for (const m of read(f).matchAll(/\.Values((?:\.[A-Za-z0-9_]+)+)/g)) {
        const path = m[1]!.slice(1).split('.');
        let node: unknown = values;
        for (const key of path) node = (node as Record<string, unknown> | null)?.[key];
        expect(node, `${f}: .Values.${path.join('.')}`).not.toBeUndefined();
      }
    }
  });

  it('runs one API replica with Recreate, and Redis with appendonly and noeviction', () => {
    const api = parseAllDocuments(flatten(read(`${CHART}/templates/api.yaml`))).map((d) => d.toJS() as { kind: string; spec: Record<string, unknown> });
    const deployment = api.find((d) => d.kind === 'Deployment')!;
    expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    expect(api.map((d) => d.kind)).toEqual(expect.arrayContaining(['Service', 'PersistentVolumeClaim']));
    expect(read(`${CHART}/templates/redis.yaml`)).toMatch(/"--appendonly", "yes", "--maxmemory-policy", "noeviction"/);
    expect(read(`${CHART}/templates/ingress.yaml`)).toMatch(/proxy-buffering: "off"/);
  });
});

describe('the two commands and CI', () => {
  it('prepare.mjs imports only node: modules; start.mjs and scripts/start/ only those and each other', () => {
    // Static `import … from '…'`, bare `import '…'` and dynamic `import('…')`.
    const imports = (f: string) =>
      [...read(f).matchAll(/^\s*import\s[^;]*?from\s*'([^']+)'|^\s*import\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gms)].map((m) => (m[1] ?? m[2] ?? m[3])!);
    const startFiles = ['scripts/start.mjs', ...readdirSync(join(REPO, 'scripts/start')).map((f) => `scripts/start/${f}`)];
    expect(startFiles.flatMap(imports)).toContain('node:child_process');
    expect(imports('scripts/prepare.mjs').filter((i) => !i.startsWith('node:'))).toEqual([]);
    const ours = /^\.\/(prepare\.mjs|start\/[\w-]+\.mjs)$|^\.\/[\w-]+\.mjs$/;
    expect(startFiles.flatMap(imports).filter((i) => !i.startsWith('node:') && !ours.test(i))).toEqual([]);
  });

  it('.ci/run is an executable bash script that calls npm test', () => {
    const run = read('.ci/run');
    expect(run.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(run).toMatch(/^set -euo pipefail$/m);
    expect(run).toMatch(/^npm test$/m);
    expect(statSync(join(REPO, '.ci/run')).mode & 0o111).not.toBe(0);
  });

  it('npm start answers --help without starting anything', () => {
    const help = execFileSync(process.execPath, ['scripts/start.mjs', '--help'], { cwd: REPO, encoding: 'utf8' });
    for (const name of ['SWITCHYARD_DATA_DIR', 'SWITCHYARD_PORT', 'REDIS_URL', 'SWITCHYARD_CLAUDE_BIN']) expect(help).toContain(name);
  });
});
