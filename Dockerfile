FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/ensure-build.js && npm prune --omit=dev && mkdir -p /app/uploads /app/data && chown -R node:node /app/uploads /app/data
ENV NODE_ENV=production PORT=3000
EXPOSE 3000
USER node
CMD ["node", "dist/server.js"]
