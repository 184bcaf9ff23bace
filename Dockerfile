# Fieldhand on Node 24 LTS: API + workers under PM2 in the foreground (`npm start`).

# Build: the whole workspace (every package.json is needed for a frozen install) with its dev tools.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@10.34.8
COPY . .
RUN pnpm install --frozen-lockfile && pnpm run build

# Run: the build output with production dependencies only; npm start runs the build it finds.
FROM node:24-bookworm-slim
WORKDIR /app
RUN npm install -g pnpm@10.34.8
COPY --from=build /app /app
RUN CI=true pnpm install --prod --frozen-lockfile
ENV NODE_ENV=production
EXPOSE 3000 4010
CMD ["npm", "start"]
