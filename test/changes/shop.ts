/**
 * A small npm-workspaces monorepo shaped like the teams who use the suite: three deployable apps and
 * three shared packages, with dependencies two levels deep.
 *
 *   api    (@shop/api)    -> @shop/db -> @shop/types
 *   web    (@shop/web)    -> @shop/ui
 *   worker (no package)   dependsOn @shop/types in the manifest
 */
import type { Files } from '../../standins/git-repo.js';

export const SHOP_MANIFEST = `region: us-east-1
cluster: shop-prod
always: [package-lock.json, .github/services.yml, docker/base.Dockerfile]
services:
  api:
    paths: [apps/api/**, "!apps/api/**/*.md", docker/api.Dockerfile]
    build: { dockerfile: docker/api.Dockerfile, args: { NODE_VERSION: 20 } }
    repository: shop-api
    ecs: { service: shop-api, container: api }
    migrate: { command: ["sh", "-c", "cd apps/api && npx prisma migrate deploy"] }
    health: https://api.example.com/healthz
  web:
    paths: [apps/web/**]
    build: { context: apps/web, platforms: [linux/amd64, linux/arm64], target: runtime }
    repository: shop-web
  worker:
    paths: [services/worker/**]
    dependsOn: ["@shop/types"]
    repository: shop-worker
`;

const pkg = (name: string, dependencies: Record<string, string> = {}, devDependencies: Record<string, string> = {}) => `${JSON.stringify({ name, version: '1.0.0', private: true, dependencies, devDependencies }, null, 2)}\n`;

export function shopFiles(manifest = SHOP_MANIFEST): Files {
  return {
    '.github/services.yml': manifest,
    'package.json': `${JSON.stringify({ name: 'shop', private: true, workspaces: ['apps/*', 'packages/*'] }, null, 2)}\n`,
    'package-lock.json': '{}\n',
    'docker/base.Dockerfile': 'FROM scratch\n',
    'docker/api.Dockerfile': 'FROM scratch\n',
    'apps/api/package.json': pkg('@shop/api', { '@shop/db': '*', express: '^4' }),
    'apps/api/src/server.ts': 'export {};\n',
    'apps/api/README.md': '# api\n',
    'apps/web/package.json': pkg('@shop/web', { react: '^18' }, { '@shop/ui': 'workspace:*' }),
    'apps/web/src/page.tsx': 'export {};\n',
    'apps/web/.env.production': 'X=1\n',
    'packages/db/package.json': pkg('@shop/db', { '@shop/types': '*' }),
    'packages/db/index.ts': 'export {};\n',
    'packages/types/package.json': pkg('@shop/types'),
    'packages/types/index.ts': 'export type Id = string;\n',
    'packages/ui/package.json': pkg('@shop/ui'),
    'packages/ui/button.tsx': 'export {};\n',
    'services/worker/main.go': 'package main\n',
  };
}
