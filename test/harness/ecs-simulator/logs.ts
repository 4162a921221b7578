/**
 * Writes what simulated containers print to CloudWatch Logs (moto), in the stream the `awslogs`
 * driver would use, so the action reads its evidence through the real API.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';

export interface LogWrite {
  group: string;
  stream: string;
  region: string;
  lines: string[];
}

export class LogSink {
  private readonly clients = new Map<string, CloudWatchLogsClient>();
  private readonly groups = new Set<string>();
  private readonly streams = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  /** Errors from moto, kept so a test can see why logs are missing. */
  readonly errors: string[] = [];

  constructor(private readonly motoUrl: string | undefined) {}

  /** Queues a write; writes happen in order. */
  write(entry: LogWrite): void {
    if (!this.motoUrl || entry.lines.length === 0) return;
    this.queue = this.queue.then(() => this.put(entry)).catch((error: unknown) => {
      this.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    });
  }

  /** Resolves once every queued write reached moto. */
  flush(): Promise<void> {
    return this.queue;
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
  }

  private client(region: string): CloudWatchLogsClient {
    let client = this.clients.get(region);
    if (!client) {
      client = new CloudWatchLogsClient({
        region,
        endpoint: this.motoUrl,
        credentials: { accessKeyId: 'simulator', secretAccessKey: 'simulator' },
        maxAttempts: 3,
      });
      this.clients.set(region, client);
    }
    return client;
  }

  private async put({ group, stream, region, lines }: LogWrite): Promise<void> {
    const logs = this.client(region);
    const groupKey = `${region}/${group}`;
    if (!this.groups.has(groupKey)) {
      await logs.send(new CreateLogGroupCommand({ logGroupName: group })).catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ResourceAlreadyExistsException')) throw error;
      });
      this.groups.add(groupKey);
    }
    const streamKey = `${groupKey}/${stream}`;
    if (!this.streams.has(streamKey)) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })).catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ResourceAlreadyExistsException')) throw error;
      });
      this.streams.add(streamKey);
    }
    // CloudWatch rejects events from the future; the simulated clock runs ahead, so use real time.
    const at = Date.now();
    await logs.send(
      new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: lines.map((message, i) => ({ timestamp: at + i, message })) }),
    );
  }
}
