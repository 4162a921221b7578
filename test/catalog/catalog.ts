/**
 * The bad-input catalog: table-driven cases, each run through a built action exactly as a runner
 * does, each expected to be refused with a message that names what was wrong and how to fix it,
 * and to change nothing. "Nothing changed" is counted at the stand-ins: every AWS request passes
 * through a recording proxy in front of moto (or the ECS simulator records its own calls).
 */
import { expect } from '@jest/globals';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync } from 'node:fs';
import type { ActionResult } from '../../standins/run-action.js';

export interface CatalogCase {
  /** What the user got wrong, as a reviewer would say it. */
  name: string;
  inputs: Record<string, string>;
  /** Files of the checked-out repository, by path (the manifest, a task-definition file...). */
  files?: Record<string, string>;
  env?: Record<string, string>;
  /** Fragments the failure message must contain: the input, file or key named, and the fix. */
  says: (string | RegExp)[];
}

interface RecordedCall {
  /** `ECS.UpdateService`, `STS.AssumeRoleWithWebIdentity`, `ECR.PutImage`... */
  operation: string;
}

/** Reads are safe: the catalog fails on anything else. */
const READ = /^(Describe|List|Get|BatchGet|BatchCheck|Filter|AssumeRole)/;

export function isMutating(operation: string): boolean {
  return !READ.test(operation.slice(operation.indexOf('.') + 1));
}

export interface AwsRecorder {
  url: string;
  calls: RecordedCall[];
  mutating(): string[];
  close(): Promise<void>;
}

/** Names the call from its X-Amz-Target (JSON protocols) or its Action (query protocols such as STS). */
function operationOf(req: IncomingMessage, body: string): string {
  const target = req.headers['x-amz-target'];
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1]?.toUpperCase() ?? '?';
  if (typeof target === 'string') return `${service}.${target.slice(target.lastIndexOf('.') + 1)}`;
  const action = new URLSearchParams(body).get('Action') ?? new URL(req.url ?? '/', 'http://x').searchParams.get('Action');
  return `${service}.${action ?? `${req.method} ${req.url}`}`;
}

/** A loopback proxy that forwards every AWS request to `upstream` (moto) and records what it was. */
export async function startAwsRecorder(upstream: string): Promise<AwsRecorder> {
  const calls: RecordedCall[] = [];
  const target = new URL(upstream);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    calls.push({ operation: operationOf(req, body.toString('utf8')) });
    const forward = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (error) => res.writeHead(502).end(String(error)));
    forward.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    mutating: () => calls.map((call) => call.operation).filter(isMutating),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The ::error:: lines of a run, decoded, joined. */
export function failureText(run: ActionResult): string {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) =>
      line
        .replace(/^::error[^:]*::/, '')
        .replace(/%0D/g, '\r')
        .replace(/%0A/g, '\n')
        .replace(/%3A/g, ':')
        .replace(/%2C/g, ',')
        .replace(/%25/g, '%'),
    )
    .join('\n');
}

/** The run was refused: exit code 1, one message with every expected fragment, no stack trace. */
export function expectRefused(run: ActionResult, says: CatalogCase['says']): void {
  const text = failureText(run);
  if (process.env.CATALOG_PRINT) appendFileSync(process.env.CATALOG_PRINT, `\n=== ${String(says[0])}\n${text}\n`);
  if (run.code !== 1 || text === '') throw new Error(`expected a refusal (exit 1 with an error), got exit ${run.code}:\n${run.log}`);
  for (const fragment of says) {
    if (typeof fragment === 'string') expect(text).toContain(fragment);
    else expect(text).toMatch(fragment);
  }
  expect(text).not.toMatch(/Unexpected error|\n\s+at .+:\d+:\d+/);
}
