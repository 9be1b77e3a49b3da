# One image for every playwright-vibes service (replay server, Stripe emulator, demo app):
# the `vibes` CLI, with the service chosen by the container's command (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY core core
COPY guard guard
COPY cleanup cleanup
COPY app-database app-database
COPY postgres postgres
COPY cli cli
COPY helpers helpers
COPY replay-server replay-server
COPY stripe-emulator stripe-emulator
COPY demo-app demo-app
COPY bench bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=test
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
USER node
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["--help"]
