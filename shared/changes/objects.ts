/**
 * Files as they are in a commit, not as they are on disk: the manifest, package.json files and
 * lockfiles are read from the commit being evaluated, so the answer for a commit is the one CI gives
 * when it checks that commit out. One `git cat-file --batch` process answers every read of a
 * detection, a fraction of a millisecond each; symbolic links inside the repository are followed.
 */
import { CommandNotFound, startCommand, type StartedCommand } from '../process.js';
import { gitMissing } from './git.js';

export type GitObject =
  | { kind: 'blob' | 'tree' | 'commit' | 'tag'; id: string; data: Buffer }
  /** No such path in the commit (or no such commit). */
  | { kind: 'missing' }
  /** A symbolic link that leaves the repository (its target is not read). */
  | { kind: 'outside'; target: string }
  /** A symbolic link to nothing, or a loop, or a path through a file. */
  | { kind: 'broken' };

interface Pending {
  resolve: (answer: GitObject) => void;
  reject: (error: Error) => void;
}

const NEWLINE = 10;

/** What follows `git cat-file` for the reader. */
export const CAT_FILE_ARGS = ['--batch', '--follow-symlinks'];

/** Reads objects with one long-running `git cat-file --batch --follow-symlinks`, started on first use. */
export class GitObjects {
  private command: StartedCommand | undefined;
  private readonly pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;
  private closed = false;
  private queued: string[] = [];

  constructor(
    private readonly root: string,
    private readonly env?: NodeJS.ProcessEnv,
    /** `git cat-file --batch --follow-symlinks`, already started by the caller. */
    private readonly started?: StartedCommand,
  ) {}

  /** Starts git now, so it is ready by the time the first object is asked for. */
  warm(): this {
    this.start();
    return this;
  }

  /** `spec` is anything cat-file takes: `<commit>:<path>`, `<commit>^{tree}`, an object id. */
  get(spec: string): Promise<GitObject> {
    if (spec.includes('\n')) return Promise.resolve({ kind: 'missing' });
    if (this.failure) return Promise.reject(this.failure);
    // Work still under way when detection gave up (it failed) must not start git again and keep the process alive.
    if (this.closed) return Promise.reject(new Error('git objects were read after the reader was closed'));
    this.start();
    return new Promise<GitObject>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      // Requests made together (fifty package.json files) go to git in one write.
      if (this.queued.length === 0) queueMicrotask(() => this.flush());
      this.queued.push(spec);
    });
  }

  /**
   * Lets git exit once it has answered what was asked; later reads fail. The process does not wait
   * for it: git ends by itself at the end of its input.
   */
  close(): void {
    this.closed = true;
    this.flush();
    this.command?.stdin.end();
    this.command?.release();
  }

  private flush(): void {
    if (this.queued.length === 0 || !this.command) return;
    this.command.stdin.write(`${this.queued.join('\n')}\n`);
    this.queued = [];
  }

  private start(): StartedCommand {
    if (this.command) return this.command;
    if (this.closed) throw new Error('git objects were read after the reader was closed');
    const command = this.started ?? startCommand('git', ['cat-file', ...CAT_FILE_ARGS], { cwd: this.root, env: this.env });
    command.onStdout((chunk) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.drain();
    });
    command.exited.then(
      ({ code, stderr }) => {
        // 127: a shell that started git for the caller did not find it.
        if (this.pending.length) this.fail(code === 127 ? gitMissing() : new Error(`git cat-file exited with code ${code}: ${stderr.trim() || 'no message'}`));
      },
      (error: unknown) => this.fail(error instanceof CommandNotFound ? gitMissing() : (error as Error)),
    );
    this.command = command;
    return command;
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const waiting of this.pending.splice(0)) waiting.reject(error);
  }

  /** Answers come in the order of the requests: header line, then content for objects and links. */
  private drain(): void {
    for (;;) {
      const end = this.buffer.indexOf(NEWLINE);
      if (end < 0 || this.pending.length === 0) return;
      const header = this.buffer.toString('utf8', 0, end);
      const parts = header.split(' ');
      let answer: GitObject;
      let consumed = end + 1;
      if (/^(symlink|dangling|loop|notdir) \d+$/.test(header)) {
        const size = Number(parts[1]);
        if (this.buffer.length < consumed + size + 1) return;
        const body = this.buffer.toString('utf8', consumed, consumed + size);
        consumed += size + 1;
        answer = parts[0] === 'symlink' ? { kind: 'outside', target: body } : { kind: 'broken' };
      } else if (parts.length === 3 && /^[0-9a-f]{40,64}$/.test(parts[0]!) && /^\d+$/.test(parts[2]!)) {
        const size = Number(parts[2]);
        if (this.buffer.length < consumed + size + 1) return;
        answer = { kind: parts[1] as 'blob', id: parts[0]!, data: this.buffer.subarray(consumed, consumed + size) };
        consumed += size + 1;
      } else {
        answer = { kind: 'missing' }; // "<spec> missing" or "<spec> ambiguous"
      }
      this.buffer = this.buffer.subarray(consumed);
      this.pending.shift()!.resolve(answer);
    }
  }
}

export type EntryKind = 'file' | 'directory' | 'link' | 'submodule';

/** The entries of a tree object: names and what they are. */
function parseTree(data: Buffer, idLength: number): Map<string, EntryKind> {
  const entries = new Map<string, EntryKind>();
  const hashBytes = idLength / 2;
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(32, at);
    const nul = data.indexOf(0, space);
    if (space < 0 || nul < 0) break;
    const mode = data.toString('latin1', at, space);
    const name = data.toString('utf8', space + 1, nul);
    entries.set(name, mode === '40000' ? 'directory' : mode === '120000' ? 'link' : mode === '160000' ? 'submodule' : 'file');
    at = nul + 1 + hashBytes;
  }
  return entries;
}

/** One commit's files, read through `objects`; listings and texts are kept. */
export class Snapshot {
  private readonly trees = new Map<string, Promise<Map<string, EntryKind> | undefined>>();
  private readonly files = new Map<string, Promise<GitObject>>();

  constructor(
    readonly objects: GitObjects,
    readonly commit: string,
  ) {}

  /** The file at `path` (symbolic links inside the repository followed), or what stands in the way; kept. */
  read(path: string): Promise<GitObject> {
    let found = this.files.get(path);
    if (!found) {
      found = this.objects.get(`${this.commit}:${path}`);
      found.catch(() => undefined);
      this.files.set(path, found);
    }
    return found;
  }

  /** The text of the file at `path`, or undefined when there is no such file. */
  async text(path: string): Promise<string | undefined> {
    const found = await this.read(path);
    return found.kind === 'blob' ? found.data.toString('utf8') : undefined;
  }

  /** The entries of directory `dir` ('' for the top), or undefined when it is not a directory. */
  entries(dir: string): Promise<Map<string, EntryKind> | undefined> {
    let listing = this.trees.get(dir);
    if (!listing) {
      listing = this.objects.get(dir === '' ? `${this.commit}^{tree}` : `${this.commit}:${dir}`).then((found) => (found.kind === 'tree' ? parseTree(found.data, found.id.length) : undefined));
      this.trees.set(dir, listing);
    }
    return listing;
  }

  /** What is at `path`; a symbolic link counts as what it points to inside the repository. */
  async kind(path: string): Promise<'file' | 'directory' | 'none'> {
    if (path === '') return 'directory';
    const slash = path.lastIndexOf('/');
    const entry = (await this.entries(slash < 0 ? '' : path.slice(0, slash)))?.get(path.slice(slash + 1));
    if (entry === undefined) return 'none';
    if (entry === 'link') {
      const found = await this.read(path);
      return found.kind === 'tree' ? 'directory' : found.kind === 'blob' ? 'file' : 'none';
    }
    return entry === 'directory' ? 'directory' : 'file';
  }
}
