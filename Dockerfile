# syntax=docker/dockerfile:1
# One build, two images: `--target api` (the broker) and `--target agent` (for workspace pods).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/db/package.json packages/db/
COPY packages/scheduler/package.json packages/scheduler/
COPY packages/client/package.json packages/client/
COPY packages/claude-sim/package.json packages/claude-sim/
COPY apps/api/package.json apps/api/
COPY apps/agent/package.json apps/agent/
COPY apps/cli/package.json apps/cli/
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim AS base
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
ENV NODE_ENV=production

FROM base AS api
ENV SWITCHYARD_HOST=0.0.0.0 SWITCHYARD_DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 7700
HEALTHCHECK CMD node -e "fetch('http://127.0.0.1:7700/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]

FROM base AS agent
RUN apt-get update && apt-get install -y --no-install-recommends tmux git && rm -rf /var/lib/apt/lists/*
USER node
ENV SWITCHYARD_AGENT_DIR=/home/node/.switchyard
CMD ["node", "--import", "tsx", "apps/agent/src/main.ts"]
