# One image for every Credence app; docker-compose.yml picks the app by command.
#   docker build -t credence .
#   docker run --rm -e PORT=3001 ... credence node --max-semi-space-size=64 dist/apps/auth/src/main.js
#
# Install scripts are skipped (--ignore-scripts): none of the packages the apps need at run
# time has one they depend on. @swc/core (tests only) and @embedded-postgres (development
# fallback, never used when DATABASE_URL is set) are the two the project allows locally.

# ---- build: all dependencies, compile, then drop the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV CI=true \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && rm -f dist/.tsbuildinfo

# ---- runtime: compiled output and production dependencies only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    CREDENCE_DATA_DIR=/app/.credence
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/.credence && chown node:node /app/.credence
USER node
# The app is chosen by the command; auth is the default.
ENV PORT=3001
EXPOSE 3001
CMD ["node", "--max-semi-space-size=64", "dist/apps/auth/src/main.js"]
