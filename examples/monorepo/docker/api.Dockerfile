# syntax=docker/dockerfile:1
ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-alpine AS base
RUN corepack enable
WORKDIR /repo

FROM base AS build
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY packages/types ./packages/types
COPY apps/api ./apps/api
RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \
    pnpm install --frozen-lockfile --filter "@acme/api..."
RUN pnpm --filter @acme/api exec prisma generate && pnpm --filter @acme/api build

# The runtime image also carries the Prisma CLI and migrations, so the same image runs
# `prisma migrate deploy` as a one-shot ECS task before the service is updated.
FROM base AS runner
ENV NODE_ENV=production PORT=3000
COPY --from=build /repo /repo
USER node
EXPOSE 3000
CMD ["node", "apps/api/dist/index.js"]
