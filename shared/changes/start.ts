/**
 * The first git work of a detection: choosing the base and, in the common case, starting the diff
 * and the reading of the manifest from the head commit. This module is light (no manifest or YAML
 * code), so the changes action starts git before it loads the rest of the engine, and git works
 * while the engine loads.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { chooseBase, type BaseChoice, type BaseRequest } from './base.js';
import { FULL_SHA, Git, changedPathsArgs, changedPathsFrom, mergeBaseFrom, type MergeBase } from './git.js';
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
  if (root && base && knownHead && process.platform !== 'win32') {
    const together = startTogether(root, base, knownHead, direct);
    objects = together.objects.warm();
    quick = together.quick;
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
 * The first round of git and the object reader from one process start: a shell runs the diff (its
 * paths on descriptor 3; its errors, then its exit status, on 4) and, unless the commits are
 * compared directly, the merge-base (its answer, then its exit status, on 5) in the background, and
 * becomes `git cat-file`. Starting a program blocks this process for several milliseconds (the fork
 * of a Node.js process); one start instead of two takes about 6 ms off a push's detection, instead
 * of three as much again off a pull request's. The commits and the diff's options reach the shell as
 * arguments, never as script text. Undefined when git did not answer; the usual comparison then
 * runs it again and reports why.
 */
function startTogether(root: string, base: string, head: string, direct: boolean): { objects: GitObjects; quick: Promise<QuickComparison | undefined> } {
  const mergeBase = direct ? '' : '{ git merge-base "$1" "$2"; echo "$?"; } >&5 2>/dev/null & shift 2; ';
  const script = `${mergeBase}{ git "$@" 2>&4; echo "$?" >&4; } >&3 & exec git cat-file ${CAT_FILE_ARGS.join(' ')} 3>&- 4>&- 5>&-`;
  const args = [...(direct ? [] : [base, head]), ...changedPathsArgs(base, head)];
  const command = startCommand('/bin/sh', ['-c', script, 'sh', ...args], { cwd: root, outputs: direct ? 2 : 3 });
  const [stdout, errors, merged] = command.outputs.map((stream) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return new Promise<string>((resolve) => stream.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))));
  });
  const paths = Promise.all([stdout!, errors!]).then(([out, report]) => {
    const ended = statusOf(report);
    return ended && changedPathsFrom(base, head, { code: ended.code, stdout: out, stderr: ended.text });
  });
  const found = merged?.then((report) => {
    const ended = statusOf(report);
    return ended && mergeBaseFrom({ code: ended.code, stdout: ended.text, stderr: '' });
  });
  const quick = compare(base, paths, found);
  return {
    objects: new GitObjects(root, undefined, command),
    // A shell that could not start closes no descriptor: its failure ends the wait.
    quick: Promise.race([
      quick,
      command.exited.then(
        () => quick,
        () => undefined,
      ),
    ]).catch(() => undefined),
  };
}

/** What a command printed before the exit status the script printed after it (its last line). */
function statusOf(report: string): { code: number; text: string } | undefined {
  const trimmed = report.trimEnd();
  const end = trimmed.lastIndexOf('\n');
  const code = Number(trimmed.slice(end + 1));
  return trimmed === '' || !Number.isInteger(code) ? undefined : { code, text: trimmed.slice(0, Math.max(end, 0)) };
}

/**
 * One round of git: a push compares the two commits directly, so the diff is all there is to run;
 * otherwise the diff runs alongside the merge-base, and counts when the base is its own merge-base.
 */
function quickCompare(git: Git, base: string, head: string, direct: boolean): Promise<QuickComparison | undefined> {
  return compare(base, git.changedPaths(base, head), direct ? undefined : git.mergeBase(base, head));
}

/** The first comparison from the diff's paths and, when the commits are not compared directly, their merge-base. */
async function compare(base: string, paths: Promise<string[] | undefined>, mergeBase?: Promise<MergeBase | undefined>): Promise<QuickComparison | undefined> {
  const diffed = paths.catch(() => undefined);
  if (!mergeBase) {
    const found = await diffed;
    return found && { base, paths: found };
  }
  const found = await mergeBase;
  return found && 'sha' in found ? { base: found.sha, paths: found.sha === base ? await diffed : undefined } : undefined;
}
