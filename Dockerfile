# Fieldhand: API + workers under PM2 (pm2-runtime keeps them in the foreground).
FROM node:20-bookworm-slim
WORKDIR /app
RUN npm install -g pnpm@10.34.8
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/api/package.json apps/api/
COPY apps/workers/package.json apps/workers/
COPY apps/sandbox/package.json apps/sandbox/
COPY packages/config/package.json packages/config/
COPY packages/observability/package.json packages/observability/
COPY packages/db/package.json packages/db/
COPY packages/queues/package.json packages/queues/
COPY e2e/package.json e2e/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm run build
ENV NODE_ENV=production
EXPOSE 3000
CMD ["npm", "start"]
