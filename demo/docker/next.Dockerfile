# The demo's stand-in for docker/next.Dockerfile. No base image can be pulled on this machine, so
# this image is built on an empty base (FROM scratch): it carries the portal's sources and the
# workspace packages it uses, not a Next.js build. The build and the push are real.
FROM scratch AS sources
ARG APP
COPY package.json pnpm-workspace.yaml pnpm-lock.yaml /repo/
COPY packages /repo/packages
COPY apps/${APP} /repo/apps/${APP}

FROM scratch AS runner
ARG APP
ENV NODE_ENV=production PORT=3000 APP=${APP}
COPY --from=sources /repo /app
WORKDIR /app
EXPOSE 3000
CMD ["node", "server.js"]
