# The demo's stand-in for docker/api.Dockerfile. No base image can be pulled on this machine, so
# this image is built on an empty base (FROM scratch): it carries the API's sources, its Prisma
# schema and migrations, and the types package, not a Node.js build. The build and the push are real.
FROM scratch AS sources
COPY package.json pnpm-workspace.yaml pnpm-lock.yaml /repo/
COPY packages/types /repo/packages/types
COPY apps/api /repo/apps/api

FROM scratch AS runner
ENV NODE_ENV=production PORT=3000
COPY --from=sources /repo /repo
WORKDIR /repo
EXPOSE 3000
CMD ["node", "apps/api/dist/index.js"]
