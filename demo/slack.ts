/** What the #deploys channel shows: each message the Slack stand-in receives, printed in a box once the step that sent it ends. */
import { renderMessage, type SlackServer } from '../standins/slack-server.js';
import type { Masker } from './runner.js';
import type { Terminal } from './terminal.js';

export interface ChannelEvent {
  event: 'posted' | 'updated';
  via: 'webhook' | 'bot';
  channel: string;
  ts: string;
  text: string;
}

export class SlackFeed {
  /** Every message posted or updated, in order. */
  readonly events: ChannelEvent[] = [];
  private shown = 0;

  constructor(
    private readonly server: SlackServer,
    private readonly terminal: Terminal,
    private readonly masker: Masker,
  ) {
    server.onMessage((event, message) => {
      const channel = server.channels.find((candidate) => candidate.id === message.channel);
      this.events.push({ event, via: message.via, channel: channel ? `#${channel.name}` : message.channel, ts: message.ts, text: renderMessage(message) });
    });
  }

  /** Prints the messages that arrived since the last call. */
  flush(): void {
    const { paint } = this.terminal;
    for (const event of this.events.slice(this.shown)) {
      const how = event.event === 'updated' ? 'message updated in place (chat.update)' : event.via === 'bot' ? 'new message (chat.postMessage)' : 'new message (incoming webhook)';
      this.terminal.line();
      this.terminal.box(`Slack ${event.channel} · ${how}`, this.masker.apply(event.text).split('\n'), paint.magenta, '    ');
    }
    this.shown = this.events.length;
  }
}
