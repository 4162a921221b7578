/**
 * Writes what simulated containers print to CloudWatch Logs (moto), in the stream the `awslogs`
 * driver would use, so the action reads its evidence through the real API. Each stream is written
 * once per task, so streams are written in parallel.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';

export interface LogWrite {
  group: string;
  stream: string;
  region: string;
  lines: string[];
}

export class LogSink {
  private readonly clients = new Map<string, CloudWatchLogsClient>();
  private readonly groups = new Map<string, Promise<void>>();
  /** The writes still under way, by stream: one stream's writes happen in order, streams in parallel. */
  private readonly pending = new Map<string, Promise<void>>();
  /** Errors from moto, kept so a test can see why logs are missing. */
  readonly errors: string[] = [];

  constructor(private readonly motoUrl: string | undefined) {}

  /** Queues a write. */
  write(entry: LogWrite): void {
    if (!this.motoUrl || entry.lines.length === 0) return;
    const key = `${entry.region}/${entry.group}/${entry.stream}`;
    const next = (this.pending.get(key) ?? Promise.resolve())
      .then(() => this.put(entry))
      .catch((error: unknown) => {
        this.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      })
      .finally(() => {
        if (this.pending.get(key) === next) this.pending.delete(key);
      });
    this.pending.set(key, next);
  }

  /** Resolves once every write queued so far reached moto. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.values()]);
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

  private group(logs: CloudWatchLogsClient, region: string, group: string): Promise<void> {
    const key = `${region}/${group}`;
    let created = this.groups.get(key);
    if (!created) {
      created = logs.send(new CreateLogGroupCommand({ logGroupName: group })).then(
        () => undefined,
        (error: unknown) => {
          if (!(error instanceof Error && error.name === 'ResourceAlreadyExistsException')) {
            this.groups.delete(key);
            throw error;
          }
        },
      );
      this.groups.set(key, created);
    }
    return created;
  }

  private async put({ group, stream, region, lines }: LogWrite): Promise<void> {
    const logs = this.client(region);
    await this.group(logs, region, group);
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })).catch((error: unknown) => {
      if (!(error instanceof Error && error.name === 'ResourceAlreadyExistsException')) throw error;
    });
    // CloudWatch rejects events from the future; the simulated clock runs ahead, so use real time.
    const at = Date.now();
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: lines.map((message, i) => ({ timestamp: at + i, message })) }));
  }
}
