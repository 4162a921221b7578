import { describe, expect, it } from '@jest/globals';
import { parseEnvironment, parseHealthUrls, parseImages, parseRollbackTo, parseServiceNames } from '../../shared/deploy/parse.js';
import { parseImageRef, shortImage, withTag } from '../../shared/images.js';
import { userErrorOf } from '../harness/errors.js';

const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('images', () => {
  it('reads service=image lines, comma-separated pairs and service.container keys', () => {
    expect(parseImages(`api=${ECR}/shop-api:abc\n# comment\nweb=${ECR}/shop-web@${DIGEST}, api.worker=${ECR}/shop-worker:abc`)).toEqual({
      api: `${ECR}/shop-api:abc`,
      web: `${ECR}/shop-web@${DIGEST}`,
      'api.worker': `${ECR}/shop-worker:abc`,
    });
  });

  it('reads a JSON object', () => {
    expect(parseImages(`{"api": "${ECR}/shop-api:abc"}`)).toEqual({ api: `${ECR}/shop-api:abc` });
  });

  it('names the line, the key or the value that is wrong', () => {
    expect(userErrorOf(() => parseImages(`${ECR}/shop-api:abc`)).message).toContain('is not <service>=<image>');
    expect(userErrorOf(() => parseImages('api=not an image')).message).toBe('Input "images" gives "api" the image "not an image", which is not an image reference.');
    expect(userErrorOf(() => parseImages('{"api": 3}')).message).toContain('gives "api" a number');
    expect(userErrorOf(() => parseImages('{"api": ')).message).toContain('looks like JSON but does not parse');
    expect(userErrorOf(() => parseImages(`api=${ECR}/a:1\napi=${ECR}/a:2`)).message).toBe('Input "images" gives "api" two different images.');
  });

  it('splits references and swaps tags', () => {
    expect(parseImageRef(`${ECR}/shop/api:abc@${DIGEST}`)).toEqual({ registry: ECR, repository: 'shop/api', tag: 'abc', digest: DIGEST });
    expect(parseImageRef('localhost:5000/api')).toEqual({ registry: 'localhost:5000', repository: 'api', digest: undefined });
    expect(parseImageRef('nginx:1.27')).toEqual({ registry: undefined, repository: 'nginx', tag: '1.27', digest: undefined });
    expect(withTag(`${ECR}/shop-api@${DIGEST}`, 'v2')).toBe(`${ECR}/shop-api:v2`);
    expect(shortImage(`${ECR}/shop-api@${DIGEST}`)).toBe('sha256:abababababab…');
  });
});

describe('environment, health URLs, services', () => {
  it('keeps = inside values and refuses bad names', () => {
    expect(parseEnvironment('LOG_LEVEL=debug\nDSN=postgres://u@h/db?sslmode=require\n')).toEqual({ LOG_LEVEL: 'debug', DSN: 'postgres://u@h/db?sslmode=require' });
    expect(userErrorOf(() => parseEnvironment('1BAD=x')).message).toContain('which is not NAME=value');
  });

  it('takes one URL or service=url lines', () => {
    expect(parseHealthUrls('https://api.example.com/healthz')).toEqual({ all: 'https://api.example.com/healthz', byService: {} });
    expect(parseHealthUrls('api=https://api.example.com/healthz\nweb=http://web.example.com/')).toEqual({
      byService: { api: 'https://api.example.com/healthz', web: 'http://web.example.com/' },
    });
    expect(userErrorOf(() => parseHealthUrls('api=ftp://x')).message).toContain('neither a URL nor <service>=<url>');
  });

  it('takes the changes output (a JSON array), all, or a list', () => {
    expect(parseServiceNames('["api","web","api"]')).toEqual(['api', 'web']);
    expect(parseServiceNames('[]')).toEqual([]);
    expect(parseServiceNames('all')).toBe('all');
    expect(parseServiceNames('api, web\nadmin')).toEqual(['api', 'web', 'admin']);
    expect(userErrorOf(() => parseServiceNames('[1]')).message).toBe('Input "services" must be a JSON array of service names.');
  });
});

describe('rollback-to', () => {
  it('tells previous, revisions, task definitions and image tags apart', () => {
    expect(parseRollbackTo('previous')).toEqual({ kind: 'previous' });
    expect(parseRollbackTo('42')).toEqual({ kind: 'revision', revision: 42 });
    expect(parseRollbackTo('shop-api:42')).toEqual({ kind: 'task-definition', reference: 'shop-api:42' });
    expect(parseRollbackTo('arn:aws:ecs:us-east-1:123456789012:task-definition/shop-api:42')).toEqual({
      kind: 'task-definition',
      reference: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop-api:42',
    });
    expect(parseRollbackTo('0123abc')).toEqual({ kind: 'image-tag', tag: '0123abc' });
    expect(parseRollbackTo('1234567')).toEqual({ kind: 'image-tag', tag: '1234567' });
    expect(parseRollbackTo('')).toBeUndefined();
    expect(userErrorOf(() => parseRollbackTo('shop api')).hint).toContain('previous (the last revision that ran successfully)');
  });
});
