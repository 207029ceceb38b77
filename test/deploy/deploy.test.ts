import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO } from '../support/agent.ts';

const read = (p: string) => readFileSync(join(REPO, p), 'utf8');

/** Every SWITCHYARD_ variable or REDIS_URL the code reads (apps and scripts). */
function namesReadByCode(): Set<string> {
  const out = execFileSync('grep', ['-rhoE', '(SWITCHYARD_[A-Z_]+|REDIS_URL)', 'apps', 'scripts', '--include=*.ts', '--include=*.mjs'], { cwd: REPO, encoding: 'utf8' });
  return new Set(out.split('\n').filter(Boolean));
}

function envNames(text: string): string[] {
  return [...new Set(text.match(/\b(SWITCHYARD_[A-Z_]+|REDIS_URL)\b/g) ?? [])];
}

/**
 * Makes a Helm template parseable as YAML: control-only lines dropped, expressions replaced by
 * a scalar. This proves the YAML structure around the templating, not what Helm renders.
 */
function flatten(template: string): string {
  return template
    .split('\n')
    .filter((l) => !/^\s*\{\{-?\s*(if|else|end|with|range|define)\b.*\}\}\s*$/.test(l))
    .map((l) => (/^\s*\{\{-?\s*(include|toYaml)/.test(l) ? l.replace(/\{\{.*\}\}/, 'x: templated') : l.replace(/\{\{.*?\}\}/g, 'templated')))
    .join('\n');
}

describe('docker-compose.yml and Dockerfile', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, { image?: string; build?: { target: string }; environment?: Record<string, string> }> };
  const dockerfile = read('Dockerfile');

  it('defines redis, api and agent; every build target exists in the Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['agent', 'api', 'redis']);
    expect(compose.services.redis!.image).toMatch(/^redis:7/);
    for (const s of ['api', 'agent']) {
      expect(dockerfile).toMatch(new RegExp(`^FROM .* AS ${compose.services[s]!.build!.target}$`, 'm'));
    }
  });

  it('starts files that exist and sets only variables the code reads', () => {
    for (const entry of dockerfile.match(/apps\/[a-z]+\/src\/main\.ts/g)!) expect(existsSync(join(REPO, entry)), entry).toBe(true);
    const known = namesReadByCode();
    for (const name of envNames(read('docker-compose.yml'))) expect(known, name).toContain(name);
  });
});

describe('helm chart', () => {
  const dir = 'deploy/helm/switchyard';

  it('has a parseable Chart.yaml and values.yaml', () => {
    expect(parse(read(`${dir}/Chart.yaml`))).toMatchObject({ apiVersion: 'v2', name: 'switchyard' });
    expect(parse(read(`${dir}/values.yaml`))).toHaveProperty('redis.bundled', true);
  });

  it('has templates that are YAML around their templating, naming real commands and variables', () => {
    const known = namesReadByCode();
    const files = readdirSync(join(REPO, dir, 'templates')).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(['api.yaml', 'ingress.yaml', 'redis.yaml']);
    for (const f of [...files.map((x) => `${dir}/templates/${x}`), `${dir}/examples/workspace-agent-sidecar.yaml`]) {
      const text = read(f);
      for (const doc of parseAllDocuments(flatten(text))) expect(doc.errors, f).toEqual([]);
      for (const name of envNames(text)) expect(known, `${f}: ${name}`).toContain(name);
      for (const entry of text.match(/apps\/[a-z]+\/src\/main\.ts/g) ?? []) expect(existsSync(join(REPO, entry)), entry).toBe(true);
    }
  });
});

describe('the two commands and CI', () => {
  it('prepare.mjs and start.mjs use nothing but Node built-ins before install', () => {
    for (const f of ['scripts/prepare.mjs', 'scripts/start.mjs']) {
      const imports = [...read(f).matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      expect(imports.every((i) => i.startsWith('node:') || i.startsWith('./')), `${f}: ${imports.join(', ')}`).toBe(true);
    }
  });

  it('.ci/run calls npm test, and npm start answers --help', () => {
    expect(read('.ci/run')).toMatch(/^npm test$/m);
    const help = execFileSync(process.execPath, ['scripts/start.mjs', '--help'], { cwd: REPO, encoding: 'utf8' });
    expect(help).toContain('SWITCHYARD_DATA_DIR');
  });
});
