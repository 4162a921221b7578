/**
 * The first git work of a detection: choosing the base and, in the common case, starting the diff
 * and the reading of the manifest from the head commit. This module is light (no manifest or YAML
 * code), so the changes action starts git before it loads the rest of the engine, and git works
 * while the engine loads.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { chooseBase, type BaseChoice, type BaseRequest } from './base.js';
import { FULL_SHA, Git, changedPathsArgs, changedPathsFrom } from './git.js';
import { startCommand } from '../process.js';
import { CAT_FILE_ARGS, GitObjects, Snapshot } from './objects.js';

export interface StartRequest extends BaseRequest {
  /** Where to work: the repository root or a directory inside it. */
  directory: string;
  /** The commit to compare; default HEAD. */
  head?: string;
  /** The manifest's path, relative to `directory` or absolute. */
  manifest?: string;
}

/** The diff between the base and the head, when both were in the clone. */
interface QuickComparison {
  /** The commit compared with: the base itself, or its merge-base with the head. */
  base: string;
  /** Only when the diff already run is the right one. */
  paths?: string[];
}

export interface Started {
  choice: BaseChoice;
  head: Promise<string>;
  quick?: Promise<QuickComparison | undefined>;
  /** The repository root, when `directory` is it (the usual case). */
  root?: string;
  /** The object reader, already running (when the directory is the repository root). */
  objects?: GitObjects;
  /** The head commit's files, with the manifest and the workspace declarations asked for early. */
  files?: Snapshot;
  /** The manifest's path relative to the root, when it was asked for early. */
  manifestPath?: string;
}

export class MissingHead extends Error {
  override readonly name = 'MissingHead';
  constructor(readonly ref: string) {
    super(`The head "${ref}" is not a commit in this repository.`);
  }
}

export function startDetection(request: StartRequest): Started {
  const directory = resolve(request.directory);
  const choice = chooseBase(request);
  // No git in a directory that is not there (spawning in it fails as if git were missing); detection says what is wrong.
  if (!existsSync(directory)) return { choice, head: Promise.resolve(request.head || 'HEAD') };
  const git = new Git(directory);
  const headRef = request.head || 'HEAD';
  const knownHead = FULL_SHA.test(headRef) ? headRef : undefined;
  const head = knownHead
    ? Promise.resolve(knownHead)
    : git.commit(headRef).then((sha) => {
        if (!sha) throw new MissingHead(headRef);
        return sha;
      });
  const base = choice.kind === 'commit' && FULL_SHA.test(choice.ref) ? choice.ref : undefined;
  const direct = choice.kind === 'commit' && choice.direct === true;
  const root = existsSync(join(directory, '.git')) ? directory : undefined;
  let quick: Promise<QuickComparison | undefined> | undefined;
  let objects: GitObjects | undefined;
  if (root && base && knownHead && direct && process.platform !== 'win32') {
    const together = startTogether(root, base, knownHead);
    objects = together.objects.warm();
    quick = together.paths.then((paths) => paths && { base, paths });
  } else {
    quick = base ? (knownHead ? quickCompare(git, base, knownHead, direct) : head.then((sha) => quickCompare(git, base, sha, direct))) : undefined;
    objects = root ? new GitObjects(root).warm() : undefined;
  }
  let files: Snapshot | undefined;
  let manifestPath: string | undefined;
  if (root && objects && knownHead && request.manifest) {
    const path = relative(root, resolve(directory, request.manifest)).replace(/\\/g, '/');
    if (path && !path.startsWith('..') && !isAbsolute(path)) {
      // Everything detection reads first, in one request to git: answers are ready when the engine has loaded.
      files = new Snapshot(objects, knownHead);
      manifestPath = path;
      for (const file of [path, 'package.json', 'pnpm-workspace.yaml']) void files.read(file);
      void files.entries('').catch(() => undefined);
    }
  }
  // Whoever awaits these sees their errors; until then they must not count as unhandled.
  head.catch(() => undefined);
  quick?.catch(() => undefined);
  return { choice, head, quick, root, objects, files, manifestPath };
}

/**
 * A push's diff and the object reader from one process start: a shell runs the diff in the
 * background (its paths on descriptor 3; its errors, then its exit status, on 4) and becomes
 * `git cat-file`. Starting a program blocks this process for several milliseconds (the fork of a
 * Node.js process); one start instead of two takes about 6 ms off a push's detection. The commits
 * and the diff's options reach the shell as arguments, never as script text. Paths are undefined
 * when the diff did not run; the usual comparison then runs it again and reports why.
 */
function startTogether(root: string, base: string, head: string): { objects: GitObjects; paths: Promise<string[] | undefined> } {
  const script = `{ git "$@" 2>&4; echo "$?" >&4; } >&3 & exec git cat-file ${CAT_FILE_ARGS.join(' ')} 3>&- 4>&-`;
  const command = startCommand('/bin/sh', ['-c', script, 'sh', ...changedPathsArgs(base, head)], { cwd: root, outputs: 2 });
  const [stdout, status] = command.outputs.map((stream) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return new Promise<string>((resolve) => stream.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))));
  });
  const paths = Promise.all([stdout!, status!]).then(([out, report]) => {
    const end = report.trimEnd().lastIndexOf('\n');
    const code = Number(report.slice(end + 1));
    if (report.trim() === '' || !Number.isInteger(code)) return undefined;
    return changedPathsFrom(base, head, { code, stdout: out, stderr: report.slice(0, Math.max(end, 0)) });
  });
  return {
    objects: new GitObjects(root, undefined, command),
    paths: Promise.race([
      paths,
      command.exited.then(
        () => paths,
        () => undefined,
      ),
    ]).catch(() => undefined),
  };
}

/**
 * One round of git: a push compares the two commits directly, so the diff is all there is to run;
 * otherwise the diff runs alongside the merge-base, and counts when the base is its own merge-base.
 */
async function quickCompare(git: Git, base: string, head: string, direct: boolean): Promise<QuickComparison | undefined> {
  if (direct) {
    const paths = await git.changedPaths(base, head).catch(() => undefined);
    return paths && { base, paths };
  }
  const [mergeBase, paths] = await Promise.all([git.mergeBase(base, head), git.changedPaths(base, head).catch(() => undefined)]);
  return 'sha' in mergeBase ? { base: mergeBase.sha, paths: mergeBase.sha === base ? paths : undefined } : undefined;
}
