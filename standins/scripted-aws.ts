/**
 * A loopback endpoint that answers AWS API calls from a script, for responses moto cannot produce
 * (refusals, throttling, transient failures). The real SDK reaches it through its endpoint setting,
 * so its parsing, retries and error types are exercised unchanged.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsCall {
  /** `ECS.DescribeServices` style for JSON services; the `Action` for query services such as STS. */
  operation: string;
  body: string;
  headers: IncomingMessage['headers'];
}

export interface ScriptedReply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface ScriptedAws {
  url: string;
  calls: AwsCall[];
  close(): Promise<void>;
}

export async function startScriptedAws(reply: (call: AwsCall) => ScriptedReply | Promise<ScriptedReply>): Promise<ScriptedAws> {
  const calls: AwsCall[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' ? target.replace(/^AmazonEC2ContainerServiceV\d+\./, 'ECS.') : (new URLSearchParams(body).get('Action') ?? req.url ?? '');
    const call = { operation, body, headers: req.headers };
    calls.push(call);
    try {
      const answer = await reply(call);
      res.writeHead(answer.status, { 'x-amzn-requestid': `req-${calls.length}`, ...answer.headers }).end(answer.body);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An AWS JSON 1.1 error (ECS, ECR, CloudWatch Logs). */
export function jsonError(status: number, type: string, message: string): ScriptedReply {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type }, body: JSON.stringify({ __type: type, message }) };
}

/** An AWS query-protocol error (STS). */
export function queryError(status: number, code: string, message: string): ScriptedReply {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
  };
}
