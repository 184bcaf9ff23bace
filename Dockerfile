# Fieldhand: API + workers under PM2 (pm2-runtime keeps them in the foreground).
FROM node:20-bookworm-slim
WORKDIR /app
RUN npm install -g pnpm@10.34.8
# The whole workspace: every package.json must be present for a frozen install.
COPY . .
RUN pnpm install --frozen-lockfile && pnpm run build
ENV NODE_ENV=production \
    FIELDHAND_SKIP_BUILD=1
EXPOSE 3000 4010
CMD ["npm", "start"]
