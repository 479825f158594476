/**
 * The image cases of `npm run bench`: `modelcar build --push` of model files next to the floor (hash the bytes and
 * write them once: `openssl dgst -sha256` + `cp`), the seed's hand flow (buildah build of the seed's Containerfile,
 * with `RUN chmod`, then buildah push) and the other ways modelcar can build, all in the same run, on a real
 * registry (docker-registry with htpasswd auth on 127.0.0.1, restarted empty before every measured push) and on
 * disk (the registry, the build storage and the floor's copy on the same filesystem). Then the layer compressions:
 * the push with each, the size, and what a node pays to unpack the layer it pulls.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import { createCipheriv, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Run, best, measure } from './measure';

/** A case of the table (the shape run.ts prints). */
export interface BenchCase {
  readonly name: string;
  readonly target: string;
  modelcar: Run[];
  floor: Run[];
  skipped?: string;
  notes: string[];
  ok?: boolean;
}

export interface ImageBenchOptions {
  readonly runs: number;
  readonly only?: RegExp;
  /** Model sizes in GiB: one file for the first, four files (an LLM's shards) for the others. */
  readonly sizesGiB: readonly number[];
  /** A folder on disk for the registry, the storage and the models. */
  readonly dir: string;
  /** The CLI to measure. */
  readonly cli: string;
  readonly quick: boolean;
}

export interface ImageBenchApi {
  newCase(name: string, target: string): BenchCase;
  log(message: string): void;
}

const GiB = 1024 ** 3;
const USER = 'bench';
const PASSWORD = 'bench-password';
const NODE = process.execPath;
const INSTALL = 'apt-get install -y --no-install-recommends buildah skopeo docker-registry apache2-utils busybox-static zstd openssl';

/** The folder's size in bytes (`du -sb`), 0 when it does not exist. */
function du(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

function gib(bytes: number): string {
  return bytes >= GiB / 10 ? `${(bytes / GiB).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

function sizeName(g: number): string {
  return g >= 1 ? `${g} GiB` : `${Math.round(g * 1024)} MiB`;
}

function need(command: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`the image cases need ${command}: ${INSTALL}`);
  return found.stdout.trim();
}

/**
 * Writes `bytes` of incompressible data: a 64 MiB block of AES-CTR output, repeated. The period is far beyond the
 * windows of gzip (32 KiB) and zstd level 3 (2 MiB), so neither finds the repetition: like real weights, random.
 */
function writeRandom(file: string, bytes: number): void {
  const block = createCipheriv('aes-128-ctr', randomBytes(16), randomBytes(16)).update(Buffer.alloc(64 * 1024 * 1024));
  writeRepeated(file, bytes, block);
}

/**
 * Writes `bytes` shaped like bf16 weights of a trained model: normally distributed values (σ 0.02) rounded to
 * bfloat16, a 64 MiB block repeated (see {@link writeRandom}). Their exponents repeat, their mantissas do not: they
 * compress by about a fifth, as real bf16 checkpoints do.
 */
function writeBf16(file: string, bytes: number): void {
  const block = Buffer.allocUnsafe(64 * 1024 * 1024);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < block.length; i += 2) {
    f[0] = Math.sqrt(-2 * Math.log(Math.random() + 1e-300)) * Math.cos(2 * Math.PI * Math.random()) * 0.02;
    block.writeUInt16LE(u[0] >>> 16, i);
  }
  writeRepeated(file, bytes, block);
}

function writeRepeated(file: string, bytes: number, block: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    for (let written = 0; written < bytes; written += block.length) fs.writeSync(fd, block, 0, Math.min(block.length, bytes - written));
  } finally {
    fs.closeSync(fd);
  }
}

/** A docker-registry on a fixed port of 127.0.0.1, started empty for each push. */
class BenchRegistry {
  public readonly host: string;
  private child?: ReturnType<typeof spawn>;
  private readonly htpasswd: string;

  constructor(
    private readonly dir: string,
    port: number,
  ) {
    this.host = `127.0.0.1:${port}`;
    fs.mkdirSync(dir, { recursive: true });
    this.htpasswd = path.join(dir, 'htpasswd');
    fs.writeFileSync(this.htpasswd, execFileSync(need('htpasswd'), ['-Bbn', USER, PASSWORD], { encoding: 'utf8' }));
  }

  /** Where it stores blobs. */
  get data(): string {
    return path.join(this.dir, 'data');
  }

  /** (Re)starts it with no content. */
  async fresh(): Promise<void> {
    await this.stop();
    fs.rmSync(this.data, { recursive: true, force: true });
    const config = path.join(this.dir, 'config.yml');
    fs.writeFileSync(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: error',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${JSON.stringify(this.data)}`,
        'http:',
        `  addr: ${this.host}`,
        '  secret: modelcar-bench',
        'auth:',
        '  htpasswd:',
        '    realm: modelcar-bench',
        `    path: ${JSON.stringify(this.htpasswd)}`,
        '',
      ].join('\n'),
    );
    const log = fs.openSync(path.join(this.dir, 'registry.log'), 'a');
    // docker-registry reads REGISTRY_* variables as configuration (REGISTRY_AUTH_FILE would set `auth`): none of them.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
    this.child = spawn(need('docker-registry'), ['serve', config], { detached: true, stdio: ['ignore', log, log], env });
    fs.closeSync(log);
    for (let i = 0; i < 200; i++) {
      const status = await fetch(`http://${this.host}/v2/`).then((r) => r.status, () => 0);
      if (status === 401) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`docker-registry did not start on ${this.host}:\n${fs.readFileSync(path.join(this.dir, 'registry.log'), 'utf8')}`);
  }

  /** The CPU time (user + system, seconds) the running registry has used since it started: what receiving cost it. */
  cpuSeconds(): number | undefined {
    try {
      // /proc/<pid>/stat: utime and stime are fields 14 and 15, in clock ticks (100 a second on Linux); the command
      // name (field 2) is in parentheses and holds no space here.
      const fields = fs.readFileSync(`/proc/${this.child!.pid}/stat`, 'utf8').split(' ');
      return (Number(fields[13]) + Number(fields[14])) / 100;
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    this.child = undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a command that must succeed (unmeasured setup). */
function run(command: string, args: string[], cwd?: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Two measured commands as one run: times and CPU added, the higher RSS. */
function both(a: Run, b: () => Run): Run {
  if (a.code !== 0) return a;
  const second = b();
  return { seconds: a.seconds + second.seconds, rssMB: Math.max(a.rssMB, second.rssMB), cpuSeconds: a.cpuSeconds + second.cpuSeconds, code: second.code, stdout: a.stdout + second.stdout, stderr: a.stderr + second.stderr };
}

/** The image cases. Sets the process environment for buildah (its own storage) while they run. */
export async function imageCases(options: ImageBenchOptions, api: ImageBenchApi): Promise<void> {
  const { log, newCase } = api;
  const wanted = (name: string) => !options.only || options.only.test(name);
  const sizes = options.sizesGiB;
  const names = (g: number, files: number) => {
    const what = `build+push ${sizeName(g)} (${files === 1 ? 'one file' : `${files} files`})`;
    return {
      writer: `${what}: modelcar build --push (its own writer, streamed)`,
      upload: `${what}: the registry's floor (openssl dgst, then curl uploads each file: POST, PATCH, PUT)`,
      layout: `${what}: modelcar build --layout + skopeo copy`,
      buildah: `${what}: modelcar build --push --builder buildah`,
      hand: `${what}: the seed's hand flow (buildah build with RUN chmod + push)`,
    };
  };
  const bf16 = sizeName(options.quick ? 1 / 16 : 1);
  const compressionNames = (c: string) => ({ push: `build+push ${bf16} of bf16-like weights, ${c}`, unpack: `unpack the pulled ${bf16} bf16-like layer, ${c} (digest check, decompression, diff_id)` });
  const all = [...sizes.flatMap((g, i) => Object.values(names(g, i === 0 ? 1 : 4))), ...['none', 'zstd', 'gzip'].flatMap((c) => Object.values(compressionNames(c)))];
  if (!all.some(wanted)) return;

  for (const tool of ['buildah', 'skopeo', 'docker-registry', 'htpasswd', 'zstd', 'openssl', 'busybox', 'du']) need(tool);
  const work = fs.mkdtempSync(path.join(options.dir, 'modelcar-bench-image-'));
  const saved = { ...process.env };
  const storageRoot = path.join(work, 'storage', 'root');
  const registry = new BenchRegistry(path.join(work, 'registry'), await freePort());
  try {
    // buildah and skopeo on a storage of the bench's own (vfs, chroot isolation: what works as root without an engine).
    const conf = path.join(work, 'storage.conf');
    fs.mkdirSync(path.join(work, 'tmp'), { recursive: true });
    fs.writeFileSync(conf, `[storage]\ndriver = "vfs"\ngraphroot = ${JSON.stringify(storageRoot)}\nrunroot = ${JSON.stringify(path.join(work, 'storage', 'run'))}\n`);
    const registries = path.join(work, 'registries.conf');
    fs.writeFileSync(registries, `[[registry]]\nlocation = ${JSON.stringify(registry.host)}\ninsecure = true\n`);
    const auth = path.join(work, 'auth.json');
    fs.writeFileSync(auth, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }), { mode: 0o600 });
    Object.assign(process.env, { CONTAINERS_STORAGE_CONF: conf, BUILDAH_ISOLATION: 'chroot', CONTAINERS_REGISTRIES_CONF: registries, REGISTRY_AUTH_FILE: auth, TMPDIR: path.join(work, 'tmp') });

    // The base: busybox with the links KServe's commands and the seed's RUN chmod use, built locally.
    const busybox = fs.realpathSync(need('busybox'));
    const container = run('buildah', ['from', '--pull-never', 'scratch']).trim();
    run('buildah', ['copy', '--chmod', '0755', container, busybox, '/bin/busybox']);
    run('buildah', ['run', container, '--', '/bin/busybox', 'sh', '-c', ['sh', 'ln', 'sleep', 'ls', 'echo', '[', 'chmod'].map((a) => `/bin/busybox ln -s busybox '/bin/${a}'`).join(' && ')]);
    run('buildah', ['commit', '--format', 'oci', container, 'localhost/bench-base:1']);
    run('buildah', ['rm', container]);
    const base = `${registry.host}/base/busybox:1`;
    const freshRegistry = async () => {
      await registry.fresh();
      run('buildah', ['push', '--authfile', auth, '--tls-verify=false', 'localhost/bench-base:1', `docker://${base}`]);
    };
    const cli = (args: string[], cwd: string) => measure(NODE, [options.cli, ...args], cwd);
    const floorDir = path.join(work, 'floor');

    /** A project of `files` model files of `bytes` in all, synthesized and staged (hard links). */
    const makeProject = (name: string, files: string[], write: (file: string) => void, extra: string[] = []): string => {
      const dir = path.join(work, name);
      for (const f of files) write(path.join(dir, 'weights', f));
      fs.writeFileSync(
        path.join(dir, 'modelcar.yaml'),
        ['version: 1', 'defaults:', '  namespace: bench', '  runtime: kserve-ovms', ...extra, 'models:', `  - name: ${name}`, '    format: onnx', `    image: ${registry.host}/bench/${name}:1`, `    baseImage: ${base}`, '    files:', '      - source: weights', ''].join('\n'),
      );
      run(NODE, [options.cli, 'synth', '-c', 'modelcar.yaml', '-o', 'dist'], dir);
      run(NODE, [options.cli, 'stage', '-c', 'modelcar.yaml', '-o', 'dist'], dir);
      return dir;
    };
    const sources = (dir: string) => fs.readdirSync(path.join(dir, 'weights')).map((f) => path.join(dir, 'weights', f));
    const floor = (dir: string): Run => {
      fs.rmSync(floorDir, { recursive: true, force: true });
      fs.mkdirSync(floorDir);
      const hash = measure('openssl', ['dgst', '-sha256', ...sources(dir)], dir);
      const cp = measure('cp', [...sources(dir), floorDir], dir);
      fs.rmSync(floorDir, { recursive: true, force: true });
      return { seconds: hash.seconds + cp.seconds, rssMB: Math.max(hash.rssMB, cp.rssMB), cpuSeconds: hash.cpuSeconds + cp.cpuSeconds, code: hash.code || cp.code, stdout: '', stderr: hash.stderr + cp.stderr };
    };
    const removeImages = () => {
      for (const image of run('buildah', ['images', '--format', '{{.Name}}:{{.Tag}}']).split('\n').filter((n) => n && !n.includes('bench-base'))) spawnSync('buildah', ['rmi', '-f', image]);
      spawnSync('buildah', ['rmi', '--prune']);
    };
    /** Measures one way of building and pushing, against the floor, `runs` times, interleaved. */
    const measureCase = async (c: BenchCase, runs: number, dir: string, go: () => Run, extraDisk: () => number, after: () => void = () => undefined) => {
      let disk = 0;
      const registryCpu: number[] = [];
      for (let i = 0; i < runs; i++) {
        await freshRegistry();
        const before = du(storageRoot) + du(path.join(work, 'tmp'));
        const cpuBefore = registry.cpuSeconds();
        const m = go();
        const cpuAfter = registry.cpuSeconds();
        if (cpuBefore !== undefined && cpuAfter !== undefined) registryCpu.push(cpuAfter - cpuBefore);
        disk = Math.max(disk, extraDisk() - before);
        after();
        if (m.code !== 0) {
          c.skipped = `failed (exit ${m.code}): ${(m.stderr || m.stdout).trim().split('\n').slice(-3).join(' / ')}`;
          log(`  ${c.name}: failed (exit ${m.code}):\n${m.stdout.trim().split('\n').slice(-10).join('\n')}\n${m.stderr.trim().split('\n').slice(-30).join('\n')}`);
          return;
        }
        c.modelcar.push(m);
        const f = floor(dir);
        c.floor.push(f);
        log(`  ${c.name} [${i + 1}/${runs}]: ${m.seconds.toFixed(2)} s ${m.rssMB.toFixed(0)} MB, floor ${f.seconds.toFixed(2)} s`);
      }
      c.notes.push(`extra disk during the build and push: ${disk <= 64 * 1024 ? 'none' : gib(disk)}`);
      if (registryCpu.length) c.notes.push(`docker-registry's own CPU time in each run: ${registryCpu.map((t) => t.toFixed(2)).join(', ')} s`);
    };

    const free = () => fs.statfsSync(work).bavail * fs.statfsSync(work).bsize;
    for (const [index, requested] of sizes.entries()) {
      const files = index === 0 ? 1 : 4;
      const n = names(requested, files);
      if (!Object.values(n).some(wanted)) continue;
      // The model, the registry's copy, the floor's copy, and the hand flow's storage (three copies in vfs), its
      // temporary files while it pushes (two layers) and its registry copy: 8 times the model at the peak.
      const factor = wanted(n.hand) || wanted(n.buildah) ? 8.5 : 3.5;
      let g = requested;
      while (g > 1 / 16 && free() < factor * g * GiB) g /= 2;
      const scaled = g !== requested ? `scaled down from ${sizeName(requested)}: ${gib(free())} free on ${work}` : undefined;
      const m = g === requested ? n : names(g, files);
      log(`${sizeName(g)} in ${files} file(s)${scaled ? ` (${scaled})` : ''}:`);
      const project = makeProject(`model-${index}`, files === 1 ? ['model.safetensors'] : [1, 2, 3, 4].map((i) => `model-0000${i}-of-00004.safetensors`), (f) => writeRandom(f, (g * GiB) / files));
      const args = ['build', '-c', 'modelcar.yaml', '-o', 'dist', '--push', '--authfile', auth, '--tls-verify=false'];
      const cases: Record<string, BenchCase> = {};
      if (wanted(m.writer)) {
        const c = (cases.writer = newCase(m.writer, '≤ 2× floor, ≥ 5× faster than the hand flow, RSS < 150 MB, no extra disk'));
        if (scaled) c.notes.push(scaled);
        await measureCase(c, options.runs, project, () => cli(args, project), () => du(path.join(work, 'tmp')) + du(storageRoot));
        c.notes.push('floor: `openssl dgst -sha256` + `cp` of the same files (page cache warm), on the registry\'s filesystem');
      }
      if (wanted(m.upload)) {
        // The least any client can do with this registry: hash each file, and send its bytes once in an upload.
        const c = (cases.upload = newCase(m.upload, '—'));
        const u = `-u ${USER}:${PASSWORD}`;
        const absolute = `case "$loc" in http*) ;; *) loc="http://${registry.host}$loc" ;; esac`;
        const script = sources(project)
          .map((f) =>
            [
              `d=$(openssl dgst -sha256 -r ${JSON.stringify(f)} | cut -d' ' -f1)`,
              `loc=$(curl -sf ${u} -i -X POST http://${registry.host}/v2/bench/curl/blobs/uploads/ | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')`,
              absolute,
              `loc=$(curl -sf ${u} -i -X PATCH -H 'Content-Type: application/octet-stream' -T ${JSON.stringify(f)} "$loc" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')`,
              absolute,
              `curl -sf ${u} -X PUT "$loc&digest=sha256:$d" -o /dev/null`,
            ].join(' && '),
          )
          .join(' && ');
        await measureCase(c, options.runs, project, () => measure('sh', ['-c', `set -e; ${script}`], project), () => du(path.join(work, 'tmp')) + du(storageRoot));
        c.notes.push('what docker-registry 2.8 (Go 1.19) costs to receive the bytes: it hashes and stores them itself');
      }
      if (wanted(m.layout) && index === 0) {
        const c = (cases.layout = newCase(m.layout, '—'));
        const layout = path.join(work, 'layout');
        let size = 0;
        await measureCase(
          c,
          options.runs,
          project,
          () =>
            both(cli(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--layout', layout, '--authfile', auth, '--tls-verify=false'], project), () =>
              measure('skopeo', ['copy', '--dest-authfile', auth, '--dest-tls-verify=false', `oci:${path.join(layout, 'bench', `model-${index}`)}:1`, `docker://${registry.host}/bench/layout:1`], project),
            ),
          () => (size = du(layout)) + du(path.join(work, 'tmp')) + du(storageRoot),
          () => fs.rmSync(layout, { recursive: true, force: true }),
        );
        c.notes.push(`the layout folder holds ${gib(size)} (the model and the base)`);
      }
      const slowRuns = options.quick ? 1 : g > 1 ? 1 : Math.min(options.runs, 2);
      if (wanted(m.buildah) && index === 0) {
        const c = (cases.buildah = newCase(m.buildah, '—'));
        await measureCase(c, slowRuns, project, () => cli([...args, '--builder', 'buildah'], project), () => du(storageRoot) + du(path.join(work, 'tmp')), removeImages);
        c.notes.push(`${slowRuns} run(s): each takes ~20× the floor; vfs storage (no overlay without an engine here)`);
      }
      if (wanted(m.hand)) {
        const c = (cases.hand = newCase(m.hand, '—'));
        // The seed's build context: the files under models/ (hard links), its Containerfile word for word but the base.
        const seed = path.join(work, `seed-${index}`);
        fs.mkdirSync(path.join(seed, 'models', '1'), { recursive: true });
        for (const s of sources(project)) fs.linkSync(s, path.join(seed, 'models', '1', path.basename(s)));
        fs.writeFileSync(path.join(seed, 'Containerfile'), 'FROM localhost/bench-base:1\nCOPY --chown=0:0 models /models\nRUN chmod -R a=rX /models\n\n# nobody user\nUSER 65534 \n');
        const tag = `localhost/seed-${index}:1`;
        await measureCase(
          c,
          slowRuns,
          project,
          () => both(measure('buildah', ['build', '--format=oci', '--layers', '-t', tag, seed], seed), () => measure('buildah', ['push', '--authfile', auth, '--tls-verify=false', tag, `docker://${registry.host}/bench/seed-${index}:1`], seed)),
          () => du(storageRoot) + du(path.join(work, 'tmp')),
          removeImages,
        );
        c.notes.push(`${slowRuns} run(s); the seed's Containerfile (COPY, then RUN chmod -R a=rX: every byte stored twice), vfs storage`);
        fs.rmSync(seed, { recursive: true, force: true });
      }
      const w = cases.writer;
      if (w && !w.skipped && w.modelcar.length) {
        const mine = best(w.modelcar.map((r) => r.seconds));
        const hand = cases.hand && !cases.hand.skipped && cases.hand.modelcar.length ? best(cases.hand.modelcar.map((r) => r.seconds)) : undefined;
        if (hand !== undefined) w.notes.push(`${(hand / mine).toFixed(1)}× faster than the hand flow in this run`);
        const upload = cases.upload && !cases.upload.skipped && cases.upload.modelcar.length ? best(cases.upload.modelcar.map((r) => r.seconds)) : undefined;
        if (upload !== undefined) w.notes.push(`${(mine / upload).toFixed(2)}× the registry's floor (curl) in this run`);
        w.ok = mine <= 2 * best(w.floor.map((r) => r.seconds)) && (hand === undefined || hand / mine >= 5) && Math.max(...w.modelcar.map((r) => r.rssMB)) < 150;
      }
      fs.rmSync(project, { recursive: true, force: true });
    }

    // Compression of bf16-like weights: the push with each, and what each pulling node pays to unpack.
    const comp = ['none', 'zstd', 'gzip'] as const;
    if (comp.some((c) => Object.values(compressionNames(c)).some(wanted))) {
      log(`compression, ${bf16} of bf16-like weights:`);
      const g = options.quick ? 1 / 16 : 1;
      const unpack = path.join(__dirname, 'unpack.js');
      let floorUnpack: Run[] = [];
      for (const c of comp) {
        const names2 = compressionNames(c);
        const project = makeProject(`bf16-${c}`, ['model.safetensors'], (f) => writeBf16(f, g * GiB), [`  compression: ${c}`]);
        const push = newCase(names2.push, '—');
        const runs = c === 'gzip' || options.quick ? 1 : options.runs;
        let blob: string | undefined;
        await measureCase(push, runs, project, () => cli(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--push', '--authfile', auth, '--tls-verify=false'], project), () => du(path.join(work, 'tmp')) + du(storageRoot));
        if (!push.skipped) {
          // The model layer as the registry stores it: the largest blob.
          const blobs = run('find', [registry.data, '-type', 'f', '-name', 'data', '-path', '*/blobs/*']).trim().split('\n');
          blob = blobs.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
          const kept = path.join(work, `blob-${c}`);
          fs.copyFileSync(blob, kept);
          blob = kept;
          push.notes.push(`layer ${gib(fs.statSync(blob).size)} for ${gib(g * GiB)} of weights (${((100 * fs.statSync(blob).size) / (g * GiB + 1536)).toFixed(1)}%)${runs === 1 ? '; 1 run' : ''}`);
        }
        fs.rmSync(project, { recursive: true, force: true });
        if (!blob || !wanted(names2.unpack)) continue;
        const u = newCase(names2.unpack, '—');
        for (let i = 0; i < (options.quick ? 1 : Math.max(options.runs, 3)); i++) {
          const r = measure(NODE, [unpack, c, blob], work);
          if (r.code !== 0) {
            u.skipped = `failed: ${r.stderr.trim()}`;
            break;
          }
          u.modelcar.push(r);
        }
        if (c === 'none') floorUnpack = u.modelcar;
        u.floor = floorUnpack;
        u.notes.push(`${c === 'gzip' ? "node's zlib" : c === 'zstd' ? 'the zstd command (1.5.4)' : 'no decompression'}; floor: the uncompressed layer's digest check; ${(u.modelcar[0]?.stdout ?? '').trim()}`);
        fs.rmSync(blob, { force: true });
      }
    }
  } finally {
    await registry.stop().catch(() => undefined);
    spawnSync('buildah', ['rm', '--all']);
    spawnSync('buildah', ['rmi', '--all', '--force']);
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
