import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configPath, DEFAULT_URL, readConfig, resolveTarget, writeConfig } from './config.ts';

const home = () => mkdtempSync(join(tmpdir(), 'sy-cfg-'));

describe('config', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configPath({ HOME: '/h', XDG_CONFIG_HOME: '/x' })).toBe('/x/switchyard/config.json');
    expect(configPath({ HOME: '/h' })).toBe('/h/.config/switchyard/config.json');
    expect(configPath({ HOME: '/h', XDG_CONFIG_HOME: '' })).toBe('/h/.config/switchyard/config.json');
  });

  it('is written with dir 0700 and file 0600, tightening a loose dir', () => {
    const h = home();
    const env = { HOME: h };
    writeConfig(env, { url: 'http://a', token: 'syu_1' });
    chmodSync(join(h, '.config', 'switchyard'), 0o755);
    const path = writeConfig(env, { url: 'http://a', token: 'syu_2' });
    expect(statSync(join(h, '.config', 'switchyard')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readConfig(env)).toEqual({ path, config: { url: 'http://a', token: 'syu_2' }, warning: null });
  });

  it('warns when the file is readable by others, and refuses a broken file', () => {
    const h = home();
    const path = writeConfig({ HOME: h }, { token: 'syu_1' });
    chmodSync(path, 0o644);
    expect(readConfig({ HOME: h }).warning).toBe(`${path} is readable by others (mode 644) and holds a token: chmod 600 ${path}`);
    writeFileSync(path, '{not json');
    expect(() => readConfig({ HOME: h })).toThrow(`${path} is not valid JSON`);
  });

  it('resolves env over config over default, and reads SWITCHYARD_TOKEN_FILE', () => {
    const h = home();
    expect(resolveTarget({ HOME: h })).toMatchObject({ url: DEFAULT_URL, urlFrom: 'default', token: null, tokenFrom: null });
    writeConfig({ HOME: h }, { url: 'http://saved:1/', token: 'syu_saved' });
    expect(resolveTarget({ HOME: h })).toMatchObject({ url: 'http://saved:1', urlFrom: 'config', token: 'syu_saved', tokenFrom: 'config' });
    expect(resolveTarget({ HOME: h, SWITCHYARD_URL: 'https://env', SWITCHYARD_TOKEN: 'syu_env\n' })).toMatchObject({
      url: 'https://env', urlFrom: 'SWITCHYARD_URL', token: 'syu_env', tokenFrom: 'SWITCHYARD_TOKEN',
    });
    const file = join(h, 'tok');
    writeFileSync(file, 'syu_file\n');
    expect(resolveTarget({ HOME: h, SWITCHYARD_TOKEN_FILE: file })).toMatchObject({ token: 'syu_file', tokenFrom: 'SWITCHYARD_TOKEN_FILE' });
    expect(() => resolveTarget({ HOME: h, SWITCHYARD_URL: 'ftp://x' })).toThrow('ftp://x is not an http(s) URL');
  });
});
