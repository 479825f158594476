/**
 * `modelcar build --push` with its own image writer keeps memory flat whatever the model size: a child process
 * pushes a 1 GiB model file (sparse: nothing stored on the source side) uncompressed, and a 256 MiB one with zstd,
 * to a real registry, and its peak RSS (VmHWM) is compared with the same push of a 1-byte model. Each file is far
 * bigger than the memory allowed, so a writer that held a layer (or a large part of one) fails. Nothing is written
 * to disk on modelcar's side: no temporary copy (the registry stores what it receives, in /dev/shm when it has
 * room). A behaviour check, not a benchmark: time is reported, not asserted.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dockerConfigJson } from '../../../src/core/docker-config';
import { RegistryClient } from '../../../src/pipeline/image/registry';
import { ZSTD_INSTALL } from '../../../src/pipeline/image/compression';
import { synthesizeConfigFile } from '../../../src/pipeline/synthesize';
import { stage } from '../../../src/pipeline/stage';
import { pushTinyBase } from '../../support/oci-base';
import { IMAGE_TOOLS_INSTALL, Registry, startRegistry } from '../../support/registry';
import { requireTool } from '../../support/tools';
import { tempDir } from '../../support/temp';
import { CLI } from '../../support/spawn';

jest.setTimeout(180_000);

const MiB = 1024 ** 2;
const ROOT = path.resolve(__dirname, '..', '..', '..');
const LIMIT_BYTES = 150 * MiB;
/** Growth over pushing a 1-byte file: a few 4 MiB chunks in flight, socket buffers, zstd's pipes, garbage. */
const GROWTH_BYTES = 64 * MiB;
const USERNAME = 'robot';
const PASSWORD = 'memory-test-password';

let home: string;
let registry: Registry;
let auth: string;
let base: string;

beforeAll(async () => {
  requireTool('docker-registry', IMAGE_TOOLS_INSTALL);
  requireTool('zstd', ZSTD_INSTALL);
  const shm = fs.statfsSync('/dev/shm');
  home = tempDir('modelcar-writer-memory-', shm.bavail * shm.bsize > 3 * 1024 * MiB ? '/dev/shm' : os.tmpdir());
  registry = await startRegistry({ dir: path.join(home, 'registry'), username: USERNAME, password: PASSWORD });
  auth = path.join(home, 'auth.json');
  fs.writeFileSync(auth, dockerConfigJson({ server: registry.host, username: USERNAME, password: PASSWORD }), { mode: 0o600 });
  const client = new RegistryClient(registry.host, { credentials: { username: USERNAME, password: PASSWORD }, tlsVerify: false });
  try {
    await pushTinyBase(client, 'base/tiny', '1');
  } finally {
    client.close();
  }
  base = `${registry.host}/base/tiny:1`;
});

afterAll(async () => {
  await registry?.stop();
});

/** A project with one model file of `size` bytes (sparse), synthesized and staged. */
async function project(name: string, size: number, compression: string): Promise<string> {
  const dir = path.join(home, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'model.bin'), size === 1 ? 'x' : '');
  if (size > 1) fs.truncateSync(path.join(dir, 'model.bin'), size);
  const config = path.join(dir, 'modelcar.yaml');
  fs.writeFileSync(
    config,
    ['version: 1', 'defaults:', '  namespace: big', '  runtime: kserve-ovms', `  compression: ${compression}`, 'models:', `  - name: ${name}`, '    format: onnx', `    image: ${registry.host}/big/${name}:1`, `    baseImage: ${base}`, '    files:', '      - source: model.bin', ''].join('\n'),
  );
  synthesizeConfigFile({ config, outdir: path.join(dir, 'dist') });
  await stage({ config, outdir: path.join(dir, 'dist') });
  return dir;
}

/** Runs `modelcar build --push` in a child process; returns its exit, output, peak RSS and time. */
async function push(dir: string): Promise<{ code: number | null; out: string; err: string; peak: number; seconds: number }> {
  const started = Date.now();
  const args = ['-r', path.join(ROOT, 'test', 'support', 'report-rss.cjs'), CLI, 'build', '--push', '--authfile', auth, '--tls-verify=false'];
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const peak = Number(/peak-rss-kib (\d+)/.exec(err)?.[1]) * 1024;
  return { code, out, err: err.replace(/peak-rss-kib \d+\n/, ''), peak, seconds: (Date.now() - started) / 1000 };
}

test('GIVEN 1 GiB uncompressed and 256 MiB zstd THEN the push stays under 150 MB, within 64 MB of pushing 1 byte, with no file written beside the model', async () => {
  const tiny = await project('tiny', 1, 'none');
  const big = await project('big', 1024 * MiB, 'none');
  const zstd = await project('zstd', 256 * MiB, 'zstd');
  const before = (dir: string) => (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
  const files = { big: before(big), zstd: before(zstd) };

  const baseline = await push(tiny);
  const runs = { big: await push(big), zstd: await push(zstd) };
  expect({ code: baseline.code, err: baseline.err }).toStrictEqual({ code: 0, err: '' });
  for (const [name, run] of Object.entries(runs)) {
    expect({ name, code: run.code, err: run.err }).toStrictEqual({ name, code: 0, err: '' });
    expect(run.out).toContain(`big/${name}: pushed ${registry.host}/big/${name}:1 as `);
  }
  const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
  process.stdout.write(`push of 1 GiB: peak RSS ${mib(runs.big.peak)} in ${runs.big.seconds.toFixed(1)} s; 256 MiB zstd: ${mib(runs.zstd.peak)} in ${runs.zstd.seconds.toFixed(1)} s; 1 byte: ${mib(baseline.peak)}\n`);
  expect(baseline.peak).toBeGreaterThan(0);
  for (const run of Object.values(runs)) {
    expect(run.peak).toBeLessThan(LIMIT_BYTES);
    expect(run.peak - baseline.peak).toBeLessThan(GROWTH_BYTES);
  }
  // No temporary copy: the project holds what it held before, and the lock file.
  expect(before(big)).toStrictEqual([...files.big, 'modelcar.lock.yaml'].sort());
  expect(before(zstd)).toStrictEqual([...files.zstd, 'modelcar.lock.yaml'].sort());
});
