/**
 * CPU profiles of the CLI (node --cpu-prof), summarized: where the time goes by function (self and total),
 * by package or source file, and, for start-up, by module loaded.
 *
 *   node lib/bench/profile.js synth MODELS PER_NAMESPACE   profile `modelcar synth` of a generated config
 *   node lib/bench/profile.js check MODELS PER_NAMESPACE   profile `modelcar synth --check` of it, up to date
 *   node lib/bench/profile.js floor MODELS PER_NAMESPACE   profile the floor (bench/floor.ts) of the same synth
 *   node lib/bench/profile.js example                      profile `modelcar synth` of examples/mobilenet
 *   node lib/bench/profile.js version                      profile `modelcar --version`
 *   node lib/bench/profile.js requires                     start-up: what each require adds, in load order (best of 5)
 *   node lib/bench/profile.js summarize FILE.cpuprofile    summarize a profile made elsewhere
 *
 * Options: --top N (rows per list, default 25), --keep (keep the profile and the output; prints where).
 * Run `npm run build && npx tsc -p bench` first.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeSynthConfig } from './generate';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'lib', 'src', 'cli', 'main.js');

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A short, stable name for where code lives: a package, a modelcar file, or node itself. */
export function whereOf(url: string): string {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return 'node (internals)';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const rel = path.relative(ROOT, file);
  return rel.startsWith('..') ? file : `modelcar ${rel.replace(/^lib\//, '')}`;
}

/** A module file as a reader knows it: `cdk8s/lib/index.js`, `cdk8s/node_modules/yaml/dist/index.js`, `lib/src/pipeline/synthesize.js`. */
function moduleName(file: string): string {
  const nm = file.indexOf('/node_modules/');
  return nm >= 0 ? file.slice(nm + '/node_modules/'.length) : path.relative(ROOT, file);
}

function frameName(f: CallFrame): string {
  const fn = f.functionName || (f.lineNumber === 0 ? '(module top level)' : '(anonymous)');
  return `${fn} ${whereOf(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
}

/** The summary of a profile, as markdown. */
export function summarize(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  // timeDeltas[i] is the time between sample i-1 and sample i: charge it to sample i-1.
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const total = profile.endTime - profile.startTime;
  const inclusive = new Map<number, number>();
  const root = profile.nodes.find((n) => !parent.has(n.id))!;
  const incl = (id: number): number => {
    let t = self.get(id) ?? 0;
    for (const c of byId.get(id)!.children ?? []) t += incl(c);
    inclusive.set(id, t);
    return t;
  };
  incl(root.id);

  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  const selfWhere = new Map<string, number>();
  const modules = new Map<string, number>();
  const onStack = new Map<string, number>();
  /** For each function, the call path of its heaviest call site. */
  const paths = new Map<string, { path: string; time: number }>();
  const walk = (id: number, stack: string[]): void => {
    const n = byId.get(id)!;
    const name = frameName(n.callFrame);
    const s = self.get(id) ?? 0;
    selfBy.set(name, (selfBy.get(name) ?? 0) + s);
    const where = n.callFrame.url ? whereOf(n.callFrame.url) : n.callFrame.functionName || '(native/vm)';
    selfWhere.set(where, (selfWhere.get(where) ?? 0) + s);
    const depth = onStack.get(name) ?? 0;
    if (depth === 0) totalBy.set(name, (totalBy.get(name) ?? 0) + inclusive.get(id)!);
    if ((paths.get(name)?.time ?? -1) < inclusive.get(id)!) paths.set(name, { path: stack.slice(-6).join(' > '), time: inclusive.get(id)! });
    // A module's top-level code (the function Module._compile runs): its whole evaluation, own requires included.
    const up = parent.get(id);
    if (up !== undefined && byId.get(up)!.callFrame.functionName === 'Module._compile' && n.callFrame.url) {
      const p = n.callFrame.url.replace(/^file:\/\//, '');
      modules.set(p, (modules.get(p) ?? 0) + inclusive.get(id)!);
    }
    onStack.set(name, depth + 1);
    // Call paths leave out node's module loader and yargs' command dispatch: they wrap everything.
    const wrapper = !n.callFrame.url || n.callFrame.url.startsWith('node:') || whereOf(n.callFrame.url) === 'yargs';
    const short = (n.callFrame.functionName || '(anonymous)') + (n.callFrame.url ? ` ${whereOf(n.callFrame.url)}` : '');
    for (const c of n.children ?? []) walk(c, wrapper ? stack : [...stack, short]);
    onStack.set(name, depth);
  };
  walk(root.id, []);

  const ms = (us: number) => (us / 1000).toFixed(0);
  const pct = (us: number) => ((100 * us) / total).toFixed(1);
  const hidden = (k: string) => ['(root) (native/vm)', '(program) (native/vm)', '(idle) (native/vm)'].includes(k) || / (node \(internals\)|yargs):\d+$/.test(k) || k.startsWith('(module top level)');
  const list = (title: string, map: Map<string, number>, withPath: boolean) => {
    const rows = [...map].filter(([k]) => !withPath || !hidden(k)).sort((a, b) => b[1] - a[1]).slice(0, top);
    return [`### ${title}`, '', `| ms | % | ${withPath ? 'function | heaviest call path (last 6 callers, outermost first) |' : 'where |'}`, withPath ? '|---:|---:|---|---|' : '|---:|---:|---|', ...rows.map(([k, v]) => `| ${ms(v)} | ${pct(v)} | ${k.replace(/\|/g, '\\|')}${withPath ? ` | ${(paths.get(k)?.path ?? '').replace(/\|/g, '\\|')} |` : ' |'}`), ''].join('\n');
  };
  const moduleRows = [...modules].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `Profile: ${ms(total)} ms in all, ${profile.samples.length} samples.`,
    '',
    list('Self time by package or file', selfWhere, false),
    list('Self time by function', selfBy, false),
    list('Total time by function (callees included, recursion counted once; node\'s loader and yargs left out)', totalBy, true),
    '### Module evaluation (require of each file, its own requires included)',
    '',
    '| ms | % | module |',
    '|---:|---:|---|',
    ...moduleRows.map(([k, v]) => `| ${ms(v)} | ${pct(v)} | ${moduleName(k)} |`),
    '',
  ].join('\n');
}

/**
 * What `modelcar synth` loads, one step after the other in a fresh node: each step's time is what it adds
 * to the steps before it (shared dependencies are counted once, at their first step).
 */
const REQUIRES: [string, string][] = [
  ['cdk8s (with constructs and the copy of yaml cdk8s bundles)', "require('cdk8s')"],
  ['lib/imports/kserve-sr-serving.kserve.io', "require('./lib/imports/kserve-sr-serving.kserve.io')"],
  ['yargs', "require('yargs')"],
  ['yaml (modelcar\'s copy)', "require('yaml')"],
  ['the config schema\'s validator (generated: src/config/generated)', "require('./src/config/generated/config-validator.js')"],
  ['the KServe validators (generated: src/validation/generated, 0.8 MB of JS)', "require('./src/validation/generated/kserve-validators.js')"],
  ['kubernetes-models: the validators of the core kinds synth writes', "for (const m of ['v1/Namespace', 'v1/ServiceAccount', 'rbac.authorization.k8s.io/v1/Role', 'rbac.authorization.k8s.io/v1/RoleBinding']) require('kubernetes-models/' + m); require('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta')"],
  ['the rest of modelcar (lib/src/cli/main and the synth command)', "require('./lib/src/cli/main'); require('./lib/src/cli/synth-command')"],
];

/** Times the steps of {@link REQUIRES} in fresh node processes: the best of `runs` for each step. */
function requires(runs = 5): string {
  const code = [
    'const out = []; let t = process.hrtime.bigint(); const lap = () => { const n = process.hrtime.bigint(); out.push(Number(n - t) / 1e6); t = n; };',
    ...REQUIRES.map(([, c]) => `${c}; lap();`),
    'process.stdout.write(JSON.stringify(out));',
  ].join('\n');
  const best: number[] = REQUIRES.map(() => Infinity);
  let node = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(r.stderr);
    const laps = JSON.parse(r.stdout) as number[];
    laps.forEach((ms, j) => (best[j] = Math.min(best[j], ms)));
    node = Math.min(node, wall - laps.reduce((a, b) => a + b, 0));
  }
  return [
    `| ms (best of ${runs}) | step |`,
    '|---:|---|',
    `| ${node.toFixed(0)} | node itself: start and exit, nothing loaded |`,
    ...REQUIRES.map(([name], j) => `| ${best[j].toFixed(0)} | ${name} |`),
    `| ${best.reduce((a, b) => a + b, 0).toFixed(0)} | all the requires |`,
    '',
  ].join('\n');
}

/** Runs a script (the CLI by default) under --cpu-prof and returns the profile file. */
function profileCli(args: readonly string[], cwd: string, dir: string, script = CLI): string {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const profiles = path.join(dir, 'profiles');
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profiles, '--cpu-prof-interval', '250', script, ...args], { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path.basename(script)} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  const file = fs.readdirSync(profiles).map((f) => path.join(profiles, f)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('node wrote no profile');
  return file;
}

function main(): void {
  const argv = process.argv.slice(2);
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const [, value] = argv.splice(i, 2);
    return value;
  };
  const keep = argv.includes('--keep');
  if (keep) argv.splice(argv.indexOf('--keep'), 1);
  const top = Number(flag('--top') ?? 25);
  const [command, ...rest] = argv;
  if (command === 'requires') {
    process.stdout.write(requires());
    return;
  }
  if (command === 'summarize' && rest.length === 1) {
    process.stdout.write(summarize(JSON.parse(fs.readFileSync(rest[0], 'utf8')), top));
    return;
  }
  const tmp = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'modelcar-profile-'));
  try {
    let file: string;
    if (command === 'version') {
      file = profileCli(['--version'], ROOT, tmp);
    } else if (command === 'example') {
      file = profileCli(['synth', '-c', path.join(ROOT, 'examples', 'mobilenet', 'modelcar.yaml'), '-o', path.join(tmp, 'dist')], ROOT, tmp);
    } else if (['synth', 'check', 'floor'].includes(command) && rest.length === 2) {
      const config = path.join(tmp, 'modelcar.yaml');
      writeSynthConfig(config, Number(rest[0]), Number(rest[1]));
      const dist = path.join(tmp, 'dist');
      if (command === 'floor') {
        file = profileCli(['synth', config, dist], tmp, tmp, path.join(__dirname, 'floor.js'));
      } else {
        if (command === 'check') spawnSync(process.execPath, [CLI, 'synth', '-c', config, '-o', dist], { cwd: tmp, stdio: 'ignore' });
        file = profileCli(['synth', ...(command === 'check' ? ['--check'] : []), '-c', config, '-o', dist], tmp, tmp);
      }
    } else {
      throw new Error('usage: profile.js synth|check|floor MODELS PER_NAMESPACE | example | version | requires | summarize FILE.cpuprofile [--top N] [--keep]');
    }
    process.stdout.write(summarize(JSON.parse(fs.readFileSync(file, 'utf8')), top));
    if (keep) process.stderr.write(`profile: ${file}\n`);
  } finally {
    if (!keep) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) main();
