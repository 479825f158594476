/**
 * `npm run bench`: modelcar's CLI against the floor (bench/floor.ts), each as a fresh child process,
 * interleaved, repeated; prints a markdown table of wall time, peak RSS and the ratio to the floor.
 *
 *   npm run bench                          the full run (a few minutes on 2 cores)
 *   npm run bench -- --quick               10 and 100 models, 1 run each, a 64 MiB stage file: a smoke test
 *   npm run bench -- --runs 5              repeats per measurement (default 3, and at least 5 for cases under a
 *                                          second; the table shows the best run of each)
 *   npm run bench -- --only 'synth'        only the cases whose name matches the regular expression
 *   npm run bench -- --stage-mib 4096      size of the file `stage` copies (default 1024)
 *   npm run bench -- --json results.json   also write every run as JSON
 *   npm run bench -- --keep                keep the temporary folder
 *   npm run bench -- --tmp DIR             where inputs and outputs go (default: /dev/shm when it is a tmpfs, else the OS temp folder)
 *   npm run bench -- --cli ../other/lib/src/cli/main.js   measure another build of the CLI
 *   npm run bench -- --image-gib 1,8       model sizes of the image cases (default 1 and 8: one file, then four)
 *   npm run bench -- --image-tmp DIR       where the image cases put models, registry and storage (default: the OS temp folder, on disk)
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeInferenceServices, writeLargeFile, writeSynthConfig } from './generate';
import { best, measure, requireGnuTime, Run } from './measure';
import { imageCases } from './image';

const ROOT = path.resolve(__dirname, '..', '..');
/** The CLI measured: this checkout's build, or another's with --cli. */
let CLI = path.join(ROOT, 'lib', 'src', 'cli', 'main.js');
const FLOOR = path.join(__dirname, 'floor.js');
const NODE = process.execPath;

interface Options {
  runs: number;
  quick: boolean;
  only?: RegExp;
  stageMiB: number;
  json?: string;
  keep: boolean;
  tmp: string;
  imageGiB: number[];
  imageTmp: string;
}

/**
 * The default work folder: a tmpfs, so that the numbers are modelcar's and the floor's, not the disk's.
 * (On a virtual disk mounted with `discard`, deleting the last run's 26,000 files makes the next run's
 * writes 3 to 10 times slower, and the runs vary as much.)
 */
function defaultTmp(): string {
  try {
    if (fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/dev/shm' && l.split(' ')[2] === 'tmpfs')) return '/dev/shm';
  } catch {
    // not Linux
  }
  return os.tmpdir();
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { runs: 3, quick: false, stageMiB: 1024, keep: false, tmp: defaultTmp(), imageGiB: [1, 8], imageTmp: os.tmpdir() };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case '--runs': options.runs = Number(value()); break;
      case '--quick': options.quick = true; break;
      case '--only': options.only = new RegExp(value()); break;
      case '--stage-mib': options.stageMiB = Number(value()); break;
      case '--json': options.json = path.resolve(value()); break;
      case '--keep': options.keep = true; break;
      case '--tmp': options.tmp = path.resolve(value()); break;
      case '--cli': CLI = path.resolve(value()); break;
      case '--image-gib': options.imageGiB = value().split(',').map(Number); break;
      case '--image-tmp': options.imageTmp = path.resolve(value()); break;
      default: throw new Error(`unknown option ${argv[i]}; see bench/run.ts for the options`);
    }
  }
  if (options.quick) {
    options.runs = 1;
    options.stageMiB = Math.min(options.stageMiB, 64);
    options.imageGiB = [1 / 16];
  }
  if (!(options.runs >= 1) || !(options.stageMiB >= 1)) throw new Error('--runs and --stage-mib must be positive numbers');
  return options;
}

/** One measured case: modelcar's runs and the floor's. */
interface Case {
  readonly name: string;
  readonly target: string;
  modelcar: Run[];
  floor: Run[];
  /** Why modelcar's command could not be measured (not in this build, failed). */
  skipped?: string;
  notes: string[];
  /** The case's verdict from its best runs, when it has a target. */
  ok?: boolean;
  /** A cell that replaces the modelcar / floor / ratio columns (the linearity row). */
  custom?: { modelcar: string; floor: string; ratio: string };
}

const cases: Case[] = [];

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function fmt(seconds: number): string {
  return seconds < 10 ? seconds.toFixed(3) : seconds.toFixed(2);
}

function firstLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(0, n).join(' / ');
}

function newCase(name: string, target: string): Case {
  const c: Case = { name, target, modelcar: [], floor: [], notes: [] };
  cases.push(c);
  return c;
}

/**
 * Measures modelcar and its floor `runs` times, interleaved. `prepare` runs, unmeasured, before each
 * measurement; a failing modelcar run ends the case with the command's error.
 */
function pair(c: Case, runs: number, modelcar: () => Run, floor: () => Run, prepare: (who: 'modelcar' | 'floor') => void = () => {}): void {
  for (let i = 0; i < runs; i++) {
    prepare('modelcar');
    const m = modelcar();
    if (m.code !== 0) {
      c.skipped = `modelcar failed (exit ${m.code}): ${firstLines(m.stderr || m.stdout)}`;
      log(`  ${c.name}: ${c.skipped}`);
      return;
    }
    c.modelcar.push(m);
    prepare('floor');
    const f = floor();
    if (f.code !== 0) throw new Error(`the floor of "${c.name}" failed (exit ${f.code}): ${f.stderr || f.stdout}`);
    c.floor.push(f);
    log(`  ${c.name} [${i + 1}/${runs}]: modelcar ${fmt(m.seconds)} s ${m.rssMB.toFixed(0)} MB, floor ${fmt(f.seconds)} s ${f.rssMB.toFixed(0)} MB`);
  }
}

/** A `prepare` for {@link pair} that empties the output folder of the command about to run. */
function emptying(modelcarDir: string, floorDir: string): (who: 'modelcar' | 'floor') => void {
  return (who) => fs.rmSync(who === 'modelcar' ? modelcarDir : floorDir, { recursive: true, force: true });
}

const mSeconds = (c: Case) => best(c.modelcar.map((r) => r.seconds));
const fSeconds = (c: Case) => best(c.floor.map((r) => r.seconds));
const peakRss = (runs: readonly Run[]) => Math.max(...runs.map((r) => r.rssMB));

function cli(args: readonly string[], cwd: string): Run {
  return measure(NODE, [CLI, ...args], cwd);
}

function floorRun(args: readonly string[], cwd: string): Run {
  return measure(NODE, [FLOOR, ...args], cwd);
}

/** Whether this build of the CLI has a command (its own help text names it; yargs exits 0 either way). */
function hasCommand(command: string): { ok: boolean; help: string } {
  const r = cli([command, '--help'], ROOT);
  return { ok: r.code === 0 && new RegExp(`^modelcar ${command}\\b`, 'm').test(r.stdout), help: r.stdout };
}

/** Compares two output folders file by file: how many files of modelcar's the floor wrote identically. */
function parity(modelcarDir: string, floorDir: string): string {
  const list = (dir: string, prefix = ''): string[] =>
    fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      return e.isDirectory() ? list(dir, rel) : [rel];
    });
  const mine = list(modelcarDir);
  const theirs = new Set(list(floorDir));
  let same = 0;
  const differ: string[] = [];
  for (const f of mine) {
    if (theirs.has(f) && fs.readFileSync(path.join(modelcarDir, f)).equals(fs.readFileSync(path.join(floorDir, f)))) same++;
    else differ.push(f);
  }
  const extra = [...theirs].filter((f) => !mine.includes(f));
  if (differ.length === 0 && extra.length === 0) return `floor output byte-identical (${same} files)`;
  return `floor output differs: ${same}/${mine.length} files identical, e.g. ${[...differ, ...extra].slice(0, 2).join(', ')} (update bench/floor.ts)`;
}

/** Repeats for cases that take less than a second: more, since they are cheap and noisy. */
function shortRuns(options: Options): number {
  return options.quick ? options.runs : Math.max(options.runs, 5);
}

function wanted(options: Options, name: string): boolean {
  return !options.only || options.only.test(name);
}

function coldStart(options: Options, tmp: string): void {
  if (wanted(options, 'modelcar --version')) {
    const c = newCase('cold start: `modelcar --version`', '—');
    pair(c, shortRuns(options), () => cli(['--version'], ROOT), () => floorRun(['version'], ROOT));
    c.notes.push('floor: node starts and reads package.json');
  }
  if (wanted(options, 'synth examples/mobilenet')) {
    const c = newCase('cold synth of examples/mobilenet (2 models)', '≤ 0.4 s');
    const config = path.join(ROOT, 'examples', 'mobilenet', 'modelcar.yaml');
    const mc = path.join(tmp, 'example', 'mc', 'dist');
    const fl = path.join(tmp, 'example', 'floor', 'dist');
    const clean = emptying(mc, fl);
    pair(c, shortRuns(options), () => cli(['synth', '-c', config, '-o', mc], ROOT), () => floorRun(['synth', config, fl], ROOT), clean);
    if (!c.skipped) {
      c.ok = mSeconds(c) <= 0.4;
      c.notes.push(parity(mc, fl));
    }
  }
}

function synthCases(options: Options, tmp: string): void {
  const sizes: [number, number][] = options.quick ? [[10, 10], [100, 10]] : [[10, 10], [100, 10], [1000, 10], [5000, 10], [5000, 1]];
  const bySize = new Map<number, Case>();
  for (const [models, perNamespace] of sizes) {
    const name = `synth ${models} models, ${perNamespace === 1 ? `in ${models} namespaces` : `${perNamespace} per namespace`}`;
    if (!wanted(options, name)) continue;
    const dir = path.join(tmp, `synth-${models}-${perNamespace}`);
    const config = path.join(dir, 'modelcar.yaml');
    writeSynthConfig(config, models, perNamespace);
    const mc = path.join(dir, 'mc', 'dist');
    const fl = path.join(dir, 'floor', 'dist');
    const c = newCase(name, '≤ 1.3× floor');
    const clean = emptying(mc, fl);
    log(`${name}:`);
    pair(c, models <= 100 ? shortRuns(options) : options.runs, () => cli(['synth', '-c', config, '-o', mc], dir), () => floorRun(['synth', config, fl], dir), clean);
    if (c.skipped) continue;
    c.ok = mSeconds(c) <= 1.3 * fSeconds(c);
    c.notes.push(parity(mc, fl));
    if (perNamespace === 10) bySize.set(models, c);

    if (models === 5000 && perNamespace === 10 && wanted(options, 'synth --check')) {
      // The CI gate: the output is there and current.
      const check = newCase(`synth --check ${models} models, ${perNamespace} per namespace, up to date`, '≤ 1.3× floor');
      log(`${check.name}:`);
      pair(check, options.runs, () => cli(['synth', '--check', '-c', config, '-o', mc], dir), () => floorRun(['check', config, fl], dir));
      if (!check.skipped) check.ok = mSeconds(check) <= 1.3 * fSeconds(check);
      check.notes.push('floor: builds the same files and compares each with the file on disk');
    }
  }

  const [a, b, d] = [bySize.get(100), bySize.get(1000), bySize.get(5000)];
  if (a && b && d) {
    // Linear: the cost of one more model does not grow with the number of models.
    const per = (f: (c: Case) => number) => [(f(b) - f(a)) / 900, (f(d) - f(b)) / 4000];
    const [m1, m2] = per(mSeconds);
    const [f1, f2] = per(fSeconds);
    const c = newCase('synth growth: time per added model, 100→1000 then 1000→5000 (10 per namespace)', 'modelcar ≤ 1.3 (linear)');
    c.custom = {
      modelcar: `${(m1 * 1000).toFixed(2)} → ${(m2 * 1000).toFixed(2)} ms (×${(m2 / m1).toFixed(2)})`,
      floor: `${(f1 * 1000).toFixed(2)} → ${(f2 * 1000).toFixed(2)} ms (×${(f2 / f1).toFixed(2)})`,
      ratio: `${(m2 / f2).toFixed(2)} at 1000→5000`,
    };
    c.ok = m2 / m1 <= 1.3;
    c.notes.push('from the best runs of the rows above');
  }
}

function validateCase(options: Options, tmp: string): void {
  const name = 'validate 1000 InferenceServices (1000 files), incl. start';
  if (!wanted(options, name)) return;
  const c = newCase(name, '≤ 1 s');
  log(`${name}:`);
  if (!hasCommand('validate').ok) {
    c.skipped = 'not available in this build (`modelcar validate --help` does not describe a validate command)';
    log(`  ${c.skipped}`);
    return;
  }
  const dir = path.join(tmp, 'validate');
  writeInferenceServices(path.join(dir, 'manifests'), 1000);
  pair(c, shortRuns(options), () => cli(['validate', 'manifests'], dir), () => floorRun(['parse', 'manifests'], dir));
  if (!c.skipped) c.ok = mSeconds(c) <= 1;
  c.notes.push('floor: read and parse the 1000 files with `yaml`, no schema');
}

/** The type of the filesystem that holds a path (the longest mount point above it), e.g. `tmpfs`, `ext4`. */
function fsType(p: string): string {
  let best = { point: '', type: 'unknown filesystem' };
  try {
    for (const line of fs.readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, point, type] = line.split(' ');
      if (point && type && (p === point || p.startsWith(point === '/' ? '/' : `${point}/`)) && point.length >= best.point.length) best = { point, type };
    }
  } catch {
    // not Linux
  }
  return best.type;
}

/** Finds the regular file of a given size under a folder (the staged model file). */
function findBySize(dir: string, size: number): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      const found = findBySize(full, size);
      if (found) return found;
    } else if (e.isFile() && fs.statSync(full).size === size) return full;
  }
  return undefined;
}

function stageCases(options: Options, tmp: string): void {
  const bytes = options.stageMiB * 1024 * 1024;
  const size = options.stageMiB % 1024 === 0 ? `${options.stageMiB / 1024} GiB` : `${options.stageMiB} MiB`;
  const dir = path.join(tmp, 'stage');
  const otherBase = [os.tmpdir(), '/dev/shm'].find((d) => fs.existsSync(d) && fs.statSync(d).dev !== fs.statSync(tmp).dev);
  const names = [
    `stage ${size} local file, output on the same filesystem (${fsType(tmp)})`,
    `stage ${size} local file, output on another filesystem (${otherBase ? `${fsType(tmp)} → ${fsType(otherBase)}` : 'none'})`,
  ];
  if (!names.some((n) => wanted(options, n))) return;
  const target = '≤ 1.2× floor, RSS < 150 MB';
  log(`stage ${size}:`);
  const stage = hasCommand('stage');
  if (!stage.ok) {
    for (const n of names.filter((n) => wanted(options, n))) {
      newCase(n, target).skipped = 'not available in this build (`modelcar stage --help` does not describe a stage command)';
    }
    log('  not available in this build');
    return;
  }

  fs.mkdirSync(dir, { recursive: true });
  const source = path.join(dir, 'model.bin');
  log(`  writing ${size} to ${source}`);
  writeLargeFile(source, bytes);
  const sha256 = execFileSync('openssl', ['dgst', '-sha256', '-r', source], { encoding: 'utf8' }).split(' ')[0];
  fs.writeFileSync(
    path.join(dir, 'modelcar.yaml'),
    ['version: 1', 'models:', '  - name: big-model', '    namespace: bench', '    runtime: kserve-ovms', '    format: onnx', '    image: quay.io/bench/big-model:v1', '    files:', '      - source: model.bin', `        sha256: ${sha256}`, ''].join('\n'),
  );

  const other = otherBase === undefined ? undefined : fs.mkdtempSync(path.join(otherBase, 'modelcar-bench-'));
  const hasOutput = /--output\b/.test(stage.help);
  try {
    for (const [index, name] of names.entries()) {
      if (!wanted(options, name)) continue;
      const c = newCase(name, target);
      const base = index === 0 ? dir : other;
      if (base === undefined) {
        c.skipped = `no second filesystem here (neither ${os.tmpdir()} nor /dev/shm differs from ${options.tmp})`;
        continue;
      }
      if (index === 1 && !hasOutput) {
        c.skipped = '`modelcar stage` has no --output option, so its output cannot be put on another filesystem';
        continue;
      }
      const outdir = path.join(base, 'dist');
      const copy = path.join(base, 'floor-copy.bin');
      const outArgs = index === 0 ? [] : ['-o', outdir];
      const prepare = (who: 'modelcar' | 'floor') => {
        fs.rmSync(copy, { force: true });
        if (who === 'floor') return;
        fs.rmSync(outdir, { recursive: true, force: true });
        const r = cli(['synth', '-c', 'modelcar.yaml', '-o', index === 0 ? 'dist' : outdir], dir);
        if (r.code !== 0) throw new Error(`synth of the stage config failed: ${r.stderr}`);
      };
      const floor = (): Run => {
        const hash = measure('openssl', ['dgst', '-sha256', source], dir);
        const cp = measure('cp', [source, copy], dir);
        return { seconds: hash.seconds + cp.seconds, rssMB: Math.max(hash.rssMB, cp.rssMB), cpuSeconds: hash.cpuSeconds + cp.cpuSeconds, code: hash.code || cp.code, stdout: hash.stdout, stderr: hash.stderr + cp.stderr };
      };
      log(`${name}:`);
      pair(c, options.runs, () => cli(['stage', '-c', 'modelcar.yaml', ...outArgs], dir), floor, prepare);
      if (c.skipped) continue;
      const staged = findBySize(path.join(outdir, 'images'), bytes);
      const how = staged === undefined ? 'no staged file of that size found under dist/images' : fs.statSync(staged).ino === fs.statSync(source).ino ? 'hardlinked' : 'copied';
      c.notes.push(`staged file: ${how}; floor: \`openssl dgst -sha256\` + \`cp\` of the same file (page cache warm)`);
      c.ok = mSeconds(c) <= 1.2 * fSeconds(c) && peakRss(c.modelcar) < 150;
    }
  } finally {
    if (other) fs.rmSync(other, { recursive: true, force: true });
    fs.rmSync(source, { force: true });
  }
}

/** How many files the folder of `stageFolderCase` has (`--quick`: a tenth). */
const FOLDER_FILES = 4000;

/**
 * `stage` of a folder of many small files (a tokenizer's, a repository's configs and shards index): what each file
 * costs beside its bytes (links, digests, the state file). The floor hashes them all with one `openssl dgst` and
 * copies the folder with one `cp -r`.
 */
function stageFolderCase(options: Options, tmp: string): void {
  const count = options.quick ? FOLDER_FILES / 10 : FOLDER_FILES;
  const name = `stage a folder of ${count} small files (1 to 8 KiB), output on the same filesystem (${fsType(tmp)})`;
  if (!wanted(options, name)) return;
  const c = newCase(name, '—');
  if (!hasCommand('stage').ok) {
    c.skipped = 'not available in this build (`modelcar stage --help` does not describe a stage command)';
    return;
  }
  log(`${name}:`);
  const dir = path.join(tmp, 'stage-folder');
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join('many', `d${i % 16}`, `f${String(i).padStart(5, '0')}.json`);
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), createHash('sha256').update(String(i)).digest('hex').repeat(16 + (i % 112)));
    files.push(file);
  }
  fs.writeFileSync(
    path.join(dir, 'modelcar.yaml'),
    ['version: 1', 'models:', '  - name: many-files', '    namespace: bench', '    runtime: kserve-ovms', '    format: onnx', '    image: quay.io/bench/many-files:v1', '    files:', '      - source: many', '        path: .', ''].join('\n'),
  );
  const copy = path.join(dir, 'floor-copy');
  const prepare = (who: 'modelcar' | 'floor') => {
    fs.rmSync(copy, { recursive: true, force: true });
    if (who === 'floor') return;
    fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
    const r = cli(['synth', '-c', 'modelcar.yaml'], dir);
    if (r.code !== 0) throw new Error(`synth of the folder config failed: ${r.stderr}`);
  };
  const floor = (): Run => {
    const hash = measure('openssl', ['dgst', '-sha256', ...files], dir);
    const cp = measure('cp', ['-r', 'many', copy], dir);
    return { seconds: hash.seconds + cp.seconds, rssMB: Math.max(hash.rssMB, cp.rssMB), cpuSeconds: hash.cpuSeconds + cp.cpuSeconds, code: hash.code || cp.code, stdout: '', stderr: hash.stderr + cp.stderr };
  };
  try {
    pair(c, options.runs, () => cli(['stage', '-c', 'modelcar.yaml'], dir), floor, prepare);
    c.notes.push('files hard-linked (the same filesystem); floor: one `openssl dgst -sha256` of all the files + `cp -r` of the folder; synth (which records the folder in the lock file) runs before each run, unmeasured');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function table(): string {
  const rows = [
    '| case | modelcar (s) | floor (s) | ratio | peak RSS (MB) | target | ok? |',
    '|---|---:|---:|---:|---:|---|---|',
  ];
  for (const c of cases) {
    const ok = c.skipped ? '—' : c.ok === undefined ? '—' : c.ok ? 'yes' : '**no**';
    if (c.custom) {
      rows.push(`| ${c.name} | ${c.custom.modelcar} | ${c.custom.floor} | ${c.custom.ratio} | | ${c.target} | ${ok} |`);
    } else if (c.skipped) {
      rows.push(`| ${c.name} | ${c.skipped} | | | | ${c.target} | — |`);
    } else {
      const m = mSeconds(c);
      const f = fSeconds(c);
      rows.push(`| ${c.name} | ${fmt(m)} | ${fmt(f)} | ${(m / f).toFixed(2)} | ${peakRss(c.modelcar).toFixed(0)} | ${c.target} | ${ok} |`);
    }
  }
  return rows.join('\n');
}

function details(): string {
  const lines: string[] = [];
  for (const c of cases) {
    if (c.custom || c.skipped) continue;
    const runs = (rs: Run[]) => rs.map((r) => fmt(r.seconds)).join(', ');
    const cpu = (rs: Run[]) => best(rs.map((r) => r.cpuSeconds)).toFixed(2);
    lines.push(`- ${c.name}: modelcar ${runs(c.modelcar)} s (CPU ${cpu(c.modelcar)} s); floor ${runs(c.floor)} s (CPU ${cpu(c.floor)} s), floor peak RSS ${peakRss(c.floor).toFixed(0)} MB${c.notes.length ? `; ${c.notes.join('; ')}` : ''}`);
  }
  return lines.join('\n');
}

/** The load average when the benchmark started: other work on the machine disturbs the numbers. */
const LOAD_AT_START = os.loadavg()[0];

function environment(options: Options): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const cli = CLI === path.join(ROOT, 'lib', 'src', 'cli', 'main.js') ? '' : `, CLI ${CLI}`;
  return `${new Date().toISOString().slice(0, 10)}, commit ${commit}${cli}, node ${process.version}, nproc ${os.availableParallelism()}, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}; best of ${options.runs} run(s) (at least ${shortRuns(options)} for cases under a second), modelcar and floor interleaved; peak RSS is the highest of the runs; work folder on ${options.tmp}; load average ${LOAD_AT_START.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  requireGnuTime();
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} not found: run \`npm run build\` first`);
  const tmp = fs.mkdtempSync(path.join(options.tmp, 'modelcar-bench-'));
  log(`modelcar benchmark in ${tmp}`);
  try {
    coldStart(options, tmp);
    synthCases(options, tmp);
    validateCase(options, tmp);
    stageCases(options, tmp);
    stageFolderCase(options, tmp);
    await imageCases(
      { runs: options.runs, only: options.only, sizesGiB: options.imageGiB, dir: options.imageTmp, cli: CLI, quick: options.quick },
      { newCase, log },
    );
  } finally {
    if (!options.keep) fs.rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
  const text = `${environment(options)}\n\n${table()}\n\nRuns (seconds) and notes:\n${details()}\n`;
  process.stdout.write(`\n${text}`);
  if (options.json) {
    const strip = (rs: Run[]) => rs.map(({ seconds, rssMB }) => ({ seconds, rssMB }));
    const data = cases.map((c) => ({ ...c, modelcar: strip(c.modelcar), floor: strip(c.floor) }));
    fs.writeFileSync(options.json, JSON.stringify({ environment: environment(options), cases: data }, null, 2) + '\n');
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
