/** What the plan says about a task definition beyond its image: names always, values only when they cannot be secrets. */
import { describe, expect, it } from '@jest/globals';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { diffTaskDefinitions, looksSecret, secretSourceName } from '../../shared/plan/definition-diff.js';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret';

const live: RegisterTaskDefinitionCommandInput = {
  family: 'shop-api',
  cpu: '256',
  memory: '512',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  containerDefinitions: [
    {
      name: 'api',
      image: 'registry.example.com/shop-api:old',
      portMappings: [{ containerPort: 3000, protocol: 'tcp' }],
      environment: [
        { name: 'NODE_ENV', value: 'production' },
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'STRIPE_API_KEY', value: 'sk_live_old' },
        { name: 'LEGACY_FLAG', value: 'on' },
      ],
      secrets: [
        { name: 'DATABASE_URL', valueFrom: `${ARN}:shop-api/database-url-AbC123` },
        { name: 'OLD_TOKEN', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/shop/api/old-token' },
      ],
    },
    { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0', essential: false },
  ],
};

const next: RegisterTaskDefinitionCommandInput = {
  family: 'shop-api',
  cpu: '512',
  memory: '1024',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole-v2',
  containerDefinitions: [
    {
      name: 'api',
      image: 'registry.example.com/shop-api:new',
      portMappings: [
        { containerPort: 3000, protocol: 'tcp' },
        { containerPort: 9090, protocol: 'tcp', name: 'metrics' },
      ],
      healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:3000/healthz || exit 1'], interval: 10, retries: 3 },
      environment: [
        { name: 'NODE_ENV', value: 'production' },
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'STRIPE_API_KEY', value: 'sk_live_new' },
        { name: 'DB_PASSWORD', value: 'hunter2' },
        { name: 'CACHE_URL', value: 'redis://cache:s3cr3t@cache.internal:6379' },
        { name: 'FEATURE_ORDERS', value: 'true' },
      ],
      secrets: [
        { name: 'DATABASE_URL', valueFrom: `${ARN}:shop-api/database-url-v2-XyZ789` },
        { name: 'SESSION_SECRET', valueFrom: `${ARN}:shop-api/session-Qw3rTy` },
      ],
      ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }],
    },
    { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0', essential: false },
  ],
};

describe('the task definition beyond the image', () => {
  it('names every change, shows values only where they cannot be secrets, and never the main image', () => {
    const changes = diffTaskDefinitions(live, next, 'api');
    expect(changes).toEqual([
      { what: 'task CPU', change: 'changed', from: '256', to: '512' },
      { what: 'task memory', change: 'changed', from: '512', to: '1024' },
      { what: 'environment LOG_LEVEL', change: 'changed', from: 'info', to: 'debug' },
      { what: 'environment STRIPE_API_KEY', change: 'changed', note: 'value hidden' },
      { what: 'environment DB_PASSWORD', change: 'added', note: 'value hidden' },
      { what: 'environment CACHE_URL', change: 'added', note: 'value hidden' },
      { what: 'environment FEATURE_ORDERS', change: 'added', to: 'true' },
      { what: 'environment LEGACY_FLAG', change: 'removed' },
      { what: 'secret DATABASE_URL', change: 'changed', from: 'from shop-api/database-url', to: 'from shop-api/database-url-v2' },
      { what: 'secret SESSION_SECRET', change: 'added', to: 'from shop-api/session' },
      { what: 'secret OLD_TOKEN', change: 'removed', from: 'from /shop/api/old-token' },
      { what: 'ports', change: 'changed', from: '3000/tcp', to: '3000/tcp, 9090/tcp metrics' },
      { what: 'health check', change: 'changed', from: 'none', to: 'curl -f http://localhost:3000/healthz || exit 1 (every 10s, 3 retries)' },
      { what: 'ulimits', change: 'changed' },
      { what: 'container log-router: image', change: 'changed', from: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0', to: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0' },
      { what: 'executionRoleArn', change: 'changed' },
    ]);
    const text = JSON.stringify(changes);
    for (const value of ['sk_live_old', 'sk_live_new', 'hunter2', 's3cr3t', 'shop-api:old', 'shop-api:new']) expect(text).not.toContain(value);
  });

  it('finds nothing when only the main image differs, whatever order ECS returns fields in', () => {
    const reordered = structuredClone(live);
    const api = reordered.containerDefinitions![0]!;
    reordered.containerDefinitions![0] = { secrets: api.secrets, environment: api.environment, portMappings: api.portMappings, image: 'registry.example.com/shop-api:new', name: 'api', mountPoints: [] };
    expect(diffTaskDefinitions(live, reordered, 'api')).toEqual([]);
  });

  it('tells secret-looking names and credentials in URLs apart from plain settings', () => {
    for (const name of ['DB_PASSWORD', 'STRIPE_API_KEY', 'JWT_SECRET', 'GITHUB_TOKEN', 'AWS_ACCESS_KEY_ID', 'PRIVATE_KEY', 'SENTRY_DSN', 'DATABASE_URL']) expect([name, looksSecret(name)]).toEqual([name, true]);
    for (const name of ['NODE_ENV', 'LOG_LEVEL', 'PORT', 'MONKEY_MODE', 'FEATURE_ORDERS']) expect([name, looksSecret(name)]).toEqual([name, false]);
    expect(looksSecret('REDIS_URL', 'redis://user:pw@host:6379')).toBe(true);
    expect(looksSecret('API_BASE', 'https://api.example.com/v1')).toBe(false);
    expect(secretSourceName(`${ARN}:prod/db-AbC123:password::`)).toBe('prod/db');
    expect(secretSourceName('arn:aws:ssm:eu-west-1:123456789012:parameter/shop/token')).toBe('/shop/token');
    expect(secretSourceName('shop-token')).toBe('shop-token');
  });
});
