/** A task container's CloudWatch log stream: where it is, following it, and its last lines. */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { createClient, type AwsSession } from '../aws/client.js';
import { transientReason } from '../aws/errors.js';
import { taskIdOf } from './arn.js';
import { containerDefinition } from './containers.js';

export interface LogLocation {
  group: string;
  stream: string;
  region: string;
}

export type LogLookup = { location: LogLocation } | { location?: undefined; why: string };

/** Where the `awslogs` driver writes `container` of task `taskArn`: `<prefix>/<container>/<task id>`. */
export function findLogStream(definition: TaskDefinition, container: string, taskArn: string, defaultRegion: string): LogLookup {
  const config = containerDefinition(definition, container)?.logConfiguration;
  if (!config) return { why: `container "${container}" has no logConfiguration, so its output is not kept anywhere` };
  if (config.logDriver !== 'awslogs') return { why: `container "${container}" logs with the ${config.logDriver} driver; read its output where that driver sends it` };
  const options = config.options ?? {};
  const group = options['awslogs-group'];
  const prefix = options['awslogs-stream-prefix'];
  if (!group) return { why: `container "${container}" has no awslogs-group option` };
  if (!prefix) return { why: `container "${container}" has no awslogs-stream-prefix, so its stream name cannot be known in advance` };
  return { location: { group, stream: `${prefix}/${container}/${taskIdOf(taskArn)}`, region: options['awslogs-region'] ?? defaultRegion } };
}

/** One CloudWatch Logs client per region (a container may log to another region than the task runs in), made on first use. */
export function logsClients(session: AwsSession): (region: string) => CloudWatchLogsClient {
  const clients = new Map<string, CloudWatchLogsClient>();
  return (region) => {
    let client = clients.get(region);
    if (!client) clients.set(region, (client = createClient(CloudWatchLogsClient, { ...session, region })));
    return client;
  };
}

/**
 * Follows a log stream forward from its start. `poll()` prints what is new; `drain()` keeps
 * reading until the stream has nothing more (CloudWatch may deliver the last lines after a task stops).
 */
export class LogFollower {
  private nextToken: string | undefined;
  private readonly tail: string[] = [];
  printed = 0;
  /** Whether CloudWatch Logs ever answered with the stream (it appears once the container starts). */
  streamFound = false;

  constructor(
    private readonly logs: CloudWatchLogsClient,
    readonly location: LogLocation,
    private readonly onLine: (line: string) => void,
    private readonly keepLast = 50,
  ) {}

  /** Reads every page available now; returns how many new lines were printed. */
  async poll(): Promise<number> {
    let count = 0;
    for (let page = 0; page < 100; page++) {
      let response;
      try {
        response = await this.logs.send(new GetLogEventsCommand({ logGroupName: this.location.group, logStreamName: this.location.stream, startFromHead: true, nextToken: this.nextToken }));
      } catch (error) {
        // The stream appears only once the container has started; throttling must not stop a wait.
        if (error instanceof Error && (error.name === 'ResourceNotFoundException' || transientReason(error))) return count;
        throw error;
      }
      this.streamFound = true;
      for (const event of response.events ?? []) {
        for (const line of (event.message ?? '').replace(/\n$/, '').split('\n')) {
          this.onLine(line);
          this.tail.push(line);
          count++;
        }
      }
      if (this.tail.length > this.keepLast) this.tail.splice(0, this.tail.length - this.keepLast);
      const done = !response.nextForwardToken || response.nextForwardToken === this.nextToken;
      this.nextToken = response.nextForwardToken ?? this.nextToken;
      if (done || (response.events ?? []).length === 0) break;
    }
    this.printed += count;
    return count;
  }

  /** Polls until `quietPolls` polls in a row bring nothing new, waiting `intervalMs` between them. */
  async drain(sleep: (ms: number) => Promise<void>, quietPolls = 2, intervalMs = 2000): Promise<void> {
    let quiet = 0;
    while (quiet < quietPolls) {
      if ((await this.poll()) > 0) quiet = 0;
      else if (++quiet < quietPolls) await sleep(intervalMs);
    }
  }

  lastLines(count = this.keepLast): string[] {
    return this.tail.slice(-count);
  }
}

/** The last `count` lines of a stream, or [] when it does not exist. */
export async function lastLogLines(logs: CloudWatchLogsClient, location: LogLocation, count: number): Promise<string[]> {
  try {
    const { events } = await logs.send(new GetLogEventsCommand({ logGroupName: location.group, logStreamName: location.stream, startFromHead: false, limit: count }));
    return (events ?? []).flatMap((event) => (event.message ?? '').replace(/\n$/, '').split('\n')).slice(-count);
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return [];
    throw error;
  }
}
