# Fly.io (or any Docker host). Two stages: build with devDependencies through the same
# build hook Heroku runs, then a slim image with production dependencies only.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN bash bin/post_compile && npm prune --omit=dev

FROM node:24-bookworm-slim AS run
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
# package.json says "type": "module", which the compiled code needs.
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/public ./public
COPY --from=build --chown=node:node /app/views ./views
# Only used with EMBEDDED_DATABASE_IN_PRODUCTION=true (no DATABASE_URL): PGlite's folder,
# writable by the user the app runs as (a named volume mounted here inherits that).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 8080
# The Procfile's web command: heap and compiler settings that keep the process under 128 MB.
CMD ["node", "--max-semi-space-size=1", "--max-old-space-size=96", "--no-opt", "--no-maglev", "--liftoff-only", "dist/src/server.js"]
