# syntax=docker/dockerfile:1
# Build stage: compile TypeScript and build the native SQLite binding.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies only, non-root, state on a volume.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    SHIPSIGNAL_STATE_URL=sqlite:///var/lib/shipsignal/state.sqlite \
    SHIPSIGNAL_HTTP_PORT=8080
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY mappings ./mappings
COPY specs ./specs
COPY data ./data
RUN mkdir -p /var/lib/shipsignal && chown -R node:node /var/lib/shipsignal
USER node
VOLUME ["/var/lib/shipsignal"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.SHIPSIGNAL_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["run"]
