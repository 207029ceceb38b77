# syntax=docker/dockerfile:1
# One build, two images:
#   docker build --target api   -t switchyard-api .     the broker (HTTP API, scheduler, SQLite)
#   docker build --target agent -t switchyard-agent .   the daemon for workspace pods (tmux + the pinned claude)
# Both run the JavaScript bundles of `node scripts/build.mjs` (apps/*/dist), as `npm start` does:
# plain node, no TypeScript loader at run time.

# Only the package.json files, so `npm ci` is cached until a manifest or the lockfile changes.
# Found with `find`, so a new workspace needs no edit here.
FROM node:20-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \;

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# Toolchain for native addons (better-sqlite3) when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY --from=manifests /manifests/ ./
COPY package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM node:20-bookworm-slim AS base
WORKDIR /app
COPY . .
# node_modules at the root and, after a hoisting conflict, in a workspace package.
COPY --from=deps /app/ /app/
# The API, the agent, its per-turn runner, the CLI and claude-sim as bundles (the same step as npm start).
RUN node scripts/build.mjs
ENV NODE_ENV=production

FROM base AS api
# The dashboard's static build, which the API serves at /.
RUN node scripts/build-dashboard.mjs
ENV SWITCHYARD_HOST=0.0.0.0 SWITCHYARD_PORT=7700 SWITCHYARD_DATA_DIR=/data
# The chart's default heap (api.heapMB) and the young generation npm start gives the API: V8
# collects lazily, and without a cap the RSS climbs far past a live heap of about 30 MB.
# Override NODE_OPTIONS for a large fleet (128 MiB + 0.1 per workspace).
ENV NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=8"
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 7700
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:7700/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--enable-source-maps", "apps/api/dist/main.js"]

# The agent runs on the Node version the pinned Claude Code CLI asks for (its package.json
# engines: node >=22), not the build's: its bundles are plain JavaScript and it loads no native
# addon, so the tree built on Node 20 runs as is.
FROM node:22-bookworm-slim AS agent
# tmux runs each turn; git is what claude works with; tini reaps the panes' orphans (PID 1).
RUN apt-get update && apt-get install -y --no-install-recommends tmux git ca-certificates tini && rm -rf /var/lib/apt/lists/*
# The Claude Code CLI the contract suite tests (TESTED_CLAUDE_VERSIONS in packages/core), baked in
# and checked to start. --build-arg CLAUDE_CODE_VERSION=<other> at your own risk (agents with an
# untested version are flagged); CLAUDE_CODE_VERSION= leaves it out, for claude-sim only.
ARG CLAUDE_CODE_VERSION=2.1.332
RUN if [ -n "$CLAUDE_CODE_VERSION" ]; then npm install -g --no-audit --no-fund "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" && claude --version; fi
WORKDIR /app
COPY --from=base /app/ /app/
ENV NODE_ENV=production
RUN mkdir -p /home/node/.switchyard && chown -R node:node /home/node
USER node
ENV SWITCHYARD_AGENT_DIR=/home/node/.switchyard
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "apps/agent/dist/main.js"]
