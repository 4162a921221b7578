# syntax=docker/dockerfile:1
# One Dockerfile for every Next.js portal: --build-arg APP=landing|investor|issuer|admin
ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-alpine AS base
RUN corepack enable
WORKDIR /repo

FROM base AS build
ARG APP
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY packages ./packages
COPY apps/${APP} ./apps/${APP}
RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store \
    pnpm install --frozen-lockfile --filter "@acme/${APP}..."
RUN pnpm --filter "@acme/${APP}" build

FROM node:${NODE_VERSION}-alpine AS runner
ARG APP
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /repo/apps/${APP}/.next/standalone ./
COPY --from=build /repo/apps/${APP}/.next/static ./apps/${APP}/.next/static
USER node
EXPOSE 3000
ENV APP=${APP}
CMD ["sh", "-c", "node apps/${APP}/server.js"]
