# OpsOrch: one image for the gateway and every subgraph (`opsorch start` | `opsorch subgraph <name>`).
# Build: docker build -t opsorch:0.1.0 .   Run: docker run -p 4000:4000 opsorch:0.1.0
# Manifests for Kubernetes: deploy/kubernetes (docs/deploy.md).
FROM node:20-bookworm-slim

# tsx compiles TypeScript on the fly and caches under TMPDIR, writable even with a read-only root filesystem.
ENV PORT=4000 \
    TMPDIR=/tmp

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. Workspaces need every package.json.
COPY package.json package-lock.json ./
COPY schema/package.json schema/
COPY adapters/package.json adapters/
COPY subgraphs/package.json subgraphs/
COPY gateway/package.json gateway/
COPY mcp/package.json mcp/
COPY copilot/package.json copilot/
COPY console/package.json console/
# What npm ci's postinstall applies to the installed packages (patch-package; docs/decisions/036).
COPY patches/ patches/
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .
# Build the web console now, so a replica serves it from its first second (start finds the build fresh).
RUN node --import tsx --input-type=module -e "const { ensureConsoleBuild } = await import('./console/server/build.ts'); await ensureConsoleBuild();" \
 && chown -R node:node /app/console/build

# Production from here on (after the install: npm ci would leave out the dev tools the image runs with, such as
# tsx): libraries answer errors without stack traces. OpsOrch sets what it relies on (introspection, error
# formatting, error pages) itself, so behaviour matches the tests.
ENV NODE_ENV=production

USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# `opsorch` drains in-flight requests on SIGTERM and reloads configuration on SIGHUP. The young generation is capped
# as `npm start` caps it (gateway/src/heap.ts, decision 047).
ENTRYPOINT ["node", "--max-semi-space-size=16", "bin/opsorch.mjs"]
CMD ["start"]
