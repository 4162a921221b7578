/**
 * The one way the suite runs other programs (git, docker): no shell, output captured, lines streamed.
 * (One fixed shell script starts change detection's first git commands together; every value it
 * uses reaches it as an argument.)
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the program's standard input, which is then closed. */
  input?: string;
  /** Called with each complete line of standard output / error as it arrives. */
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The program is not installed (or not on PATH). */
export class CommandNotFound extends Error {
  override readonly name = 'CommandNotFound';
  constructor(readonly command: string) {
    super(`${command} is not installed or not on PATH`);
  }
}

/** Runs `command` and resolves with its exit code and output; a non-zero exit is not an error here. */
export function runCommand(command: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const lines = (sink: Buffer[], onLine?: (line: string) => void) => {
      let partial = '';
      return (chunk: Buffer) => {
        sink.push(chunk);
        if (!onLine) return;
        const text = partial + chunk.toString('utf8');
        const parts = text.split(/\r?\n/);
        partial = parts.pop() ?? '';
        parts.forEach(onLine);
      };
    };
    child.stdout!.on('data', lines(stdout, options.onStdoutLine));
    child.stderr!.on('data', lines(stderr, options.onStderrLine));
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new CommandNotFound(command) : error));
    child.once('close', (code, signal) => {
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      // Flush a last line that had no newline.
      if (options.onStdoutLine && out && !out.endsWith('\n')) options.onStdoutLine(out.slice(out.lastIndexOf('\n') + 1));
      if (options.onStderrLine && err && !err.endsWith('\n')) options.onStderrLine(err.slice(err.lastIndexOf('\n') + 1));
      resolve({ code: code ?? (signal ? 128 : 1), stdout: out, stderr: err });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

export interface StartedCommand {
  /** Standard input, left open for the caller to write to and end. */
  stdin: NodeJS.WritableStream;
  /** Called with each chunk of standard output as it arrives. */
  onStdout(listener: (chunk: Buffer) => void): void;
  /** Resolves when the program exits: its code and standard error; rejects with CommandNotFound when it is missing. */
  exited: Promise<{ code: number; stderr: string }>;
  /** Lets this process exit without waiting for the program, which is left to finish on its own (its input ended). */
  release(): void;
  /** The pipes asked for with `outputs`, from file descriptor 3 on. */
  outputs: Readable[];
}

export interface StartOptions extends Pick<CommandOptions, 'cwd' | 'env'> {
  /** Pipes the program gets as file descriptors 3, 4, …, read through `outputs`. */
  outputs?: number;
}

/** Starts a long-running program that is fed through standard input (`git cat-file --batch`). */
export function startCommand(command: string, args: string[], options: StartOptions = {}): StartedCommand {
  const extra = Array.from({ length: options.outputs ?? 0 }, () => 'pipe' as const);
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe', ...extra] });
  const stderr: Buffer[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  // A program that exits early closes its input: writes then fail, and `exited` says why.
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new CommandNotFound(command) : error));
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr: Buffer.concat(stderr).toString('utf8') }));
  });
  const release = () => {
    child.unref();
    // Piped standard streams are sockets, each holding the event loop open until it closes.
    for (const stream of child.stdio) (stream as Socket | null)?.unref();
  };
  const outputs = child.stdio.slice(3) as Readable[];
  return { stdin: child.stdin!, onStdout: (listener) => child.stdout!.on('data', listener), exited, release, outputs };
}
