/**
 * Runs an action's built `dist/index.js` the way a GitHub-hosted runner does — inputs as INPUT_*
 * variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE / GITHUB_ENV files, the event
 * payload, the OIDC token endpoint for jobs with `id-token: write` — and shows its log the way a
 * job log reads: groups as headings, debug hidden, annotations coloured, and every value
 * registered with ::add-mask:: (or known to the runner as a secret) replaced by ***.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT, parseCommandFile } from '../standins/run-action.js';
import { summaryLines } from './summary.js';
import { seconds, type Terminal } from './terminal.js';

type ActionName = 'preflight' | 'changes' | 'promote' | 'build-push' | 'migrate' | 'deploy-ecs' | 'notify';

/** The workflow run a step belongs to: what `github.*` says in deploy.yml. */
export interface RunContext {
  workspace: string;
  eventName: 'push' | 'workflow_dispatch';
  event: Record<string, unknown>;
  sha: string;
  ref: string;
  runId: string;
  repository: string;
  actor: string;
  workflow: string;
}

export interface StepSpec {
  /** The job's name as deploy.yml gives it, e.g. "Build api". */
  job: string;
  action: ActionName;
  /** The inputs the workflow gives the step. */
  inputs: Record<string, string>;
  /** Inputs the demo adds to reach its stand-ins (shown apart). */
  demoInputs?: Record<string, string>;
  run: RunContext;
  /** The job has `permissions: id-token: write`. */
  idToken?: boolean;
  /** Secrets the job passes to the step: the runner masks them from the start. */
  secrets?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface StepResult {
  job: string;
  action: ActionName;
  /** The inputs the workflow gave the step (without the demo's additions). */
  inputs: Record<string, string>;
  conclusion: 'success' | 'failure';
  exitCode: number | null;
  outputs: Record<string, string>;
  /** The job summary as the action wrote it (Markdown and HTML). */
  summary: string;
  /** The log as shown: masked, without colour codes. */
  log: string[];
  durationMs: number;
}

/** A workflow command line: `::name key=value,key=value::message`. */
interface WorkflowCommand {
  name: string;
  properties: Record<string, string>;
  message: string;
}

function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const match = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!match) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) properties[pair.slice(0, at).trim()] = decodeProperty(pair.slice(at + 1));
  }
  return { name: match[1]!.toLowerCase(), properties, message: decodeData(match[3]!) };
}

/** The escaping @actions/core applies to a command's message. */
function decodeData(text: string): string {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

function decodeProperty(text: string): string {
  return text.replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

/** What a runner's secret masker does: every registered value, wherever it appears, becomes ***. */
export class Masker {
  private values: string[] = [];
  /** How many times a value was replaced in what was shown. */
  replaced = 0;

  add(value: string): void {
    // Runners ignore blank values and mask each line of a multi-line value.
    for (const part of value.split(/\r?\n/)) {
      const trimmed = part.trim();
      if (trimmed.length < 1 || this.values.includes(trimmed)) continue;
      this.values.push(trimmed);
      this.values.sort((a, b) => b.length - a.length);
    }
  }

  /** The values registered so far. */
  registered(): string[] {
    return [...this.values];
  }

  apply(text: string): string {
    let masked = text;
    for (const value of this.values) {
      if (!masked.includes(value)) continue;
      const parts = masked.split(value);
      this.replaced += parts.length - 1;
      masked = parts.join('***');
    }
    return masked;
  }
}

export interface RunnerOptions {
  terminal: Terminal;
  /** Where each job gets its RUNNER_TEMP. */
  tempRoot: string;
  /** Variables every step gets, e.g. the AWS endpoints of the stand-ins. */
  env: Record<string, string>;
  /** The OIDC token endpoint variables, for jobs with `id-token: write`. */
  oidcEnv: Record<string, string>;
}

export class Runner {
  readonly masker = new Masker();
  private readonly running = new Set<ChildProcess>();
  private jobs = 0;
  private stopped = false;

  constructor(private readonly options: RunnerOptions) {
    // The runner masks its own request token for the OIDC endpoint.
    for (const [name, value] of Object.entries(options.oidcEnv)) if (name.endsWith('TOKEN')) this.masker.add(value);
  }

  /** Stops every action still running and refuses to start more (Ctrl-C, or an error elsewhere). */
  stopAll(): void {
    this.stopped = true;
    for (const child of this.running) if (child.exitCode === null) child.kill('SIGTERM');
  }

  async step(spec: StepSpec): Promise<StepResult> {
    if (this.stopped) throw new StepsStopped();
    const { terminal } = this.options;
    const { paint } = terminal;
    for (const secret of spec.secrets ?? []) this.masker.add(secret);
    const dir = mkdtempSync(join(this.options.tempRoot, `job${++this.jobs}-${spec.action}-`));
    const files = { output: join(dir, 'output'), summary: join(dir, 'step_summary'), state: join(dir, 'state'), env: join(dir, 'env'), event: join(dir, 'event.json') };
    for (const file of [files.output, files.summary, files.state, files.env]) writeFileSync(file, '');
    writeFileSync(files.event, JSON.stringify(spec.run.event, null, 2));

    const [owner] = spec.run.repository.split('/');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? dir,
      LANG: 'C.UTF-8',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_TEMP: dir,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_STATE: files.state,
      GITHUB_ENV: files.env,
      GITHUB_EVENT_PATH: files.event,
      GITHUB_EVENT_NAME: spec.run.eventName,
      GITHUB_REPOSITORY: spec.run.repository,
      GITHUB_REPOSITORY_OWNER: owner ?? '',
      GITHUB_RUN_ID: spec.run.runId,
      GITHUB_RUN_NUMBER: spec.run.runId.slice(-3),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
      GITHUB_SHA: spec.run.sha,
      GITHUB_REF: spec.run.ref,
      GITHUB_REF_NAME: spec.run.ref.replace(/^refs\/(heads|tags)\//, ''),
      GITHUB_REF_TYPE: 'branch',
      GITHUB_ACTOR: spec.run.actor,
      GITHUB_TRIGGERING_ACTOR: spec.run.actor,
      GITHUB_WORKFLOW: spec.run.workflow,
      GITHUB_JOB: spec.job.split(' ')[0]!.toLowerCase(),
      GITHUB_ACTION: spec.action.replace(/-/g, ''),
      GITHUB_WORKSPACE: spec.run.workspace,
      // The actions run on node24 on GitHub's runners; on an older Node here every step would print the AWS SDK's upgrade warning.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...this.options.env,
      ...(spec.idToken ? this.options.oidcEnv : {}),
      ...spec.env,
    };
    for (const [name, value] of Object.entries({ ...spec.inputs, ...spec.demoInputs })) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;

    const uses = `./.berth/actions/${spec.action}`;
    terminal.line(`  ${paint.bold(`▶ ${spec.job}`)}  ${paint.dim(`uses: ${uses}`)}`);
    this.showInputs('with', spec.inputs);
    this.showInputs('demo adds', spec.demoInputs ?? {});

    const script = join(REPO_ROOT, 'actions', spec.action, 'dist', 'index.js');
    if (!existsSync(script)) throw new Error(`${script} does not exist: run "npm run build" first.`);
    const started = Date.now();
    const masksBefore = this.masker.registered().length;
    const child = spawn(process.execPath, [script], { cwd: spec.run.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.running.add(child);
    const log: string[] = [];
    const view = new LogView(terminal, this.masker, log);
    const streams = [child.stdout!, child.stderr!].map(
      (stream) =>
        new Promise<void>((resolve) =>
          createInterface({ input: stream, crlfDelay: Infinity })
            .on('line', (line) => view.take(line))
            .on('close', resolve),
        ),
    );
    const timer = setTimeout(() => child.kill('SIGTERM'), spec.timeoutMs ?? 300_000);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    }).finally(() => {
      clearTimeout(timer);
      this.running.delete(child);
    });
    await Promise.all(streams);
    if (this.stopped) throw new StepsStopped();
    const durationMs = Date.now() - started;
    const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    const outputs = parseCommandFile(read(files.output));
    const summary = read(files.summary);
    const conclusion = exitCode === 0 ? 'success' : 'failure';

    const lines = summaryLines(this.masker.apply(summary));
    if (lines.length) {
      terminal.line(`    ${paint.magenta('Job summary')}`);
      for (const line of lines) terminal.line(`    ${paint.magenta('│')} ${line}`);
    }
    const masked = this.masker.registered().length - masksBefore;
    const note = paint.dim(`in ${seconds(durationMs)}${masked ? ` · ${masked} value${masked === 1 ? '' : 's'} registered with ::add-mask::, shown as *** from then on` : ''}`);
    terminal.line(conclusion === 'success' ? `  ${paint.green(`✓ ${spec.job} succeeded`)} ${note}` : `  ${paint.red(`✗ ${spec.job} failed`)} ${paint.dim(`(exit code ${exitCode ?? 'none'})`)} ${note}`);
    return { job: spec.job, action: spec.action, inputs: spec.inputs, conclusion, exitCode, outputs, summary, log, durationMs };
  }

  /** The `with:` block a runner prints before a step, long values cut short, secrets masked. */
  private showInputs(label: string, inputs: Record<string, string>): void {
    const { terminal } = this.options;
    const shown = Object.entries(inputs).filter(([, value]) => value !== '');
    if (shown.length === 0) return;
    // Masked before it is cut short, so that no part of a secret is ever shown.
    const cut = (value: string) => {
      const flat = this.masker.apply(value).replace(/\s*\n\s*/g, ' ');
      return flat.length > 72 ? `${flat.slice(0, 71)}…` : flat;
    };
    terminal.line(terminal.paint.dim(`    ${label}: ${shown.map(([name, value]) => `${name}: ${cut(value)}`).join(' · ')}`));
  }
}

export class StepsStopped extends Error {
  constructor() {
    super('The run was stopped.');
  }
}

/** Turns the lines an action prints into the lines a job log shows (blank lines left out, to keep the story compact). */
class LogView {
  private inGroup = false;
  private stopToken: string | undefined;

  constructor(
    private readonly terminal: Terminal,
    private readonly masker: Masker,
    private readonly log: string[],
  ) {}

  take(raw: string): void {
    if (raw.trim() === '') return;
    if (this.stopToken !== undefined) {
      if (raw === `::${this.stopToken}::`) this.stopToken = undefined;
      else this.show(raw);
      return;
    }
    const command = parseWorkflowCommand(raw);
    if (!command) return this.show(raw);
    const { paint } = this.terminal;
    switch (command.name) {
      case 'add-mask':
        this.masker.add(command.message);
        return;
      case 'debug':
        return;
      case 'group':
        this.inGroup = true;
        return this.show(paint.bold(paint.blue(`▸ ${command.message}`)), 'heading');
      case 'endgroup':
        this.inGroup = false;
        return;
      case 'error':
      case 'warning':
      case 'notice': {
        const colour = command.name === 'error' ? paint.red : command.name === 'warning' ? paint.yellow : paint.cyan;
        const word = `${command.name[0]!.toUpperCase()}${command.name.slice(1)}`;
        const { file, line, title } = command.properties;
        const where = file ? `${file}${line ? `:${line}` : ''}: ` : '';
        const [first, ...rest] = command.message.split(/\r?\n/);
        this.show(colour(`${paint.bold(`${word}:`)} ${where}${title ? `${title}: ` : ''}${first}`), 'annotation');
        for (const more of rest) this.show(colour(`  ${more}`), 'annotation');
        return;
      }
      case 'stop-commands':
        this.stopToken = command.message;
        return;
      case 'echo':
      case 'save-state':
      case 'set-output':
        return;
      default:
        return this.show(raw);
    }
  }

  private show(text: string, kind: 'line' | 'heading' | 'annotation' = 'line'): void {
    const masked = this.masker.apply(text);
    const indent = kind === 'heading' ? '    ' : this.inGroup ? '      ' : '    ';
    this.terminal.line(`${indent}${masked}`);
    this.log.push(this.terminal.transcript.at(-1)!);
  }
}
