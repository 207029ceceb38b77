import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const TOKEN = `sya_${'a'.repeat(43)}`;
const read = (files: Record<string, string>) => (p: string) => {
  if (!(p in files)) throw new Error('ENOENT: no such file');
  return files[p]!;
};

describe('agent configuration', () => {
  it('reads env, lets flags win, and reads the token from a file', () => {
    const c = loadConfig(
      { SWITCHYARD_URL: 'http://env:1', SWITCHYARD_AGENT_SLOTS: '3', SWITCHYARD_WORKDIR_ROOTS: '/a:/b/' },
      ['--url', 'http://flag:2/', '--token-file', '/t', '--workdir-root', '/w'],
      read({ '/t': `${TOKEN}\n` }),
    );
    expect(c).toMatchObject({ url: 'http://flag:2', token: TOKEN, slots: 3, workdirRoots: ['/w'], simFallback: false });
  });

  it('names every bad setting at once', () => {
    expect(() => loadConfig({ SWITCHYARD_AGENT_SLOTS: 'lots', SWITCHYARD_WORKDIR_ROOTS: 'relative' }, [], read({}))).toThrowError(
      /url[\s\S]*token[\s\S]*slots[\s\S]*workdirRoots/,
    );
  });

  it('says which token file it could not read', () => {
    expect(() => loadConfig({ SWITCHYARD_URL: 'http://x' }, ['--token-file', '/missing'], read({}))).toThrowError(/token file \/missing/);
  });

  it('answers --help', () => {
    expect(loadConfig({}, ['--help'], read({}))).toBe('help');
  });
});
