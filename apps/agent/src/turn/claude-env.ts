/**
 * claude's environment, built from an allow-list of what Claude Code reads: login and providers
 * (Anthropic, Bedrock, Vertex, Foundry), its own settings, proxies and certificates, locale, and
 * what git and MCP servers need. Nothing of Switchyard's own gets through: no `SWITCHYARD_*`,
 * and no variable that holds the agent token or names its file.
 */

const EXACT = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'LANG', 'TZ', 'TMPDIR',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE',
  'CLOUD_ML_REGION', 'SSH_AUTH_SOCK', 'COLORTERM',
]);

const PREFIXES = [
  'LC_', 'ANTHROPIC_', 'CLAUDE_', 'DISABLE_', 'MCP_', 'XDG_', 'GIT_',
  'AWS_', 'GOOGLE_', 'GCLOUD_', 'CLOUDSDK_', 'VERTEX_', 'AZURE_',
];

/** Whether `name` may reach claude at all. */
export function allowedEnvName(name: string): boolean {
  if (name.startsWith('SWITCHYARD_')) return false;
  return EXACT.has(name) || PREFIXES.some((p) => name.startsWith(p));
}

/**
 * The allow-listed part of `env`. `secrets` are values of ours (the agent token, its file's
 * path): a variable holding one is dropped whatever its name.
 */
export function claudeEnv(env: NodeJS.ProcessEnv, secrets: string[] = []): Record<string, string> {
  const ours = secrets.filter((s) => s.length >= 8);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !allowedEnvName(name)) continue;
    if (ours.some((s) => value.includes(s))) continue;
    out[name] = value;
  }
  return out;
}
