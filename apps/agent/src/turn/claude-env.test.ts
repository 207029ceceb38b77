import { describe, expect, it } from 'vitest';
import { claudeEnv } from './claude-env.ts';

describe('claude’s environment', () => {
  it('keeps what Claude Code reads for login, providers, settings, proxies, git and locale', () => {
    const keep = {
      PATH: '/bin', HOME: '/h', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'UTC', ANTHROPIC_API_KEY: 'k', CLAUDE_CODE_USE_BEDROCK: '1',
      AWS_PROFILE: 'p', GOOGLE_APPLICATION_CREDENTIALS: '/g', CLOUD_ML_REGION: 'r', VERTEX_REGION_CLAUDE_4: 'r', AZURE_API_KEY: 'a',
      HTTPS_PROXY: 'http://p', no_proxy: 'x', NODE_EXTRA_CA_CERTS: '/ca', DISABLE_TELEMETRY: '1', MCP_TIMEOUT: '1', XDG_CONFIG_HOME: '/x',
      GIT_AUTHOR_NAME: 'n', SSH_AUTH_SOCK: '/s',
    };
    expect(claudeEnv({ ...keep, SWITCHYARD_AGENT_TOKEN: 'sya_secret_token_value', SWITCHYARD_URL: 'u', REDIS_URL: 'r', TMUX: 't', NODE_OPTIONS: '--require x' })).toEqual(keep);
  });

  it('drops a variable of an allowed name that carries the agent token or its file', () => {
    const env = claudeEnv({ CLAUDE_X: 'Bearer sya_secret_token_value', CLAUDE_Y: '/etc/switchyard/agent-token', CLAUDE_Z: 'fine' }, ['sya_secret_token_value', '/etc/switchyard/agent-token']);
    expect(env).toEqual({ CLAUDE_Z: 'fine' });
  });
});
