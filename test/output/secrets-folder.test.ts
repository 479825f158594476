/**
 * Where credentials may be written: a folder of their own, never modelcar's committed output (by real path: a link
 * into it counts), never a folder of other files (its .gitignore would be replaced), never through a link.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { OciModel } from '../../src/constructs/oci-model';
import { PullSecret } from '../../src/constructs/pull-secret';
import { UserError } from '../../src/core/errors';
import { synthesize } from '../../src/pipeline/synthesize';
import { main } from '../../src/cli/main';
import { readTree } from '../support/tree';
import { requireTool } from '../support/tools';

const PASSWORD = 'hunter2-secrets-folder-unique';
const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmp(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-secrets-folder-')));
  made.push(dir);
  return dir;
}

function tree() {
  const chart = new Chart(new App(), 'models', { namespace: 'team-a', disableResourceNameHashes: true });
  const secret = new PullSecret(chart, 'pull', { name: 'quay-pull', credentials: { server: 'quay.io', username: 'robot', password: PASSWORD } });
  new OciModel(chart, 'm', { name: 'm', runtime: 'kserve-ovms', modelFormat: { name: 'onnx' }, image: 'quay.io/u/m:1', files: [{ source: 'https://example.com/m.onnx' }], pullSecret: secret });
  return chart;
}

async function pullSecret(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(['pull-secret', 'quay-pull', '-n', 'ml', ...args], (t) => (out += t), (t) => (err += t), { env: { REGISTRY_USERNAME: 'robot', REGISTRY_PASSWORD: PASSWORD }, readStdin: () => '' });
  return { code, out, err };
}

describe('synthesize() secretsDir', () => {
  test.each([
    ['inside the output folder', (dir: string) => path.join(dir, 'dist', 'secrets'), (dir: string) => `it is inside the output folder ${dir}/dist, which is committed`],
    ['the output folder itself', (dir: string) => path.join(dir, 'dist'), (dir: string) => `it is inside the output folder ${dir}/dist, which is committed`],
    ['holding the output folder', (dir: string) => dir, (dir: string) => `it holds the output folder ${dir}/dist, which its .gitignore would hide from git`],
  ])('GIVEN a secretsDir %s THEN it is refused before anything is written', (_what, secrets, why) => {
    const dir = tmp();
    expect(() => synthesize(tree(), { outdir: path.join(dir, 'dist'), source: 'x.ts', secretsDir: secrets(dir) })).toThrow(
      new UserError(`refusing to write Secrets into ${secrets(dir)}: ${why(dir)}; choose a folder outside it (e.g. .modelcar/secrets)`, 2),
    );
    expect(fs.readdirSync(dir)).toStrictEqual([]);
  });

  test('GIVEN a secretsDir that is a link into the output folder THEN it counts as inside', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'dist', 'x'), { recursive: true });
    fs.symlinkSync(path.join(dir, 'dist', 'x'), path.join(dir, 'secrets'));
    expect(() => synthesize(tree(), { outdir: path.join(dir, 'dist'), source: 'x.ts', secretsDir: path.join(dir, 'secrets') })).toThrow(
      `refusing to write Secrets into ${dir}/secrets: it is inside the output folder ${dir}/dist, which is committed`,
    );
    expect(fs.readdirSync(path.join(dir, 'dist', 'x'))).toStrictEqual([]);
  });
});

describe('pull-secret --out-dir', () => {
  test('GIVEN a link to a folder inside dist/ THEN refused: no cleartext Secret lands in dist/', async () => {
    const dir = tmp();
    synthesize(tree(), { outdir: path.join(dir, 'dist'), source: 'x.ts', secretsDir: path.join(dir, 'secrets') });
    fs.symlinkSync(path.join(dir, 'dist', 'manifests'), path.join(dir, 'out'));
    const before = readTree(path.join(dir, 'dist'));
    expect(await pullSecret(['--out-dir', path.join(dir, 'out')])).toStrictEqual({
      code: 2,
      out: '',
      err: `modelcar: refusing to write Secrets into ${dir}/out: it is inside ${dir}/dist, modelcar's committed output; choose a folder outside it (e.g. .modelcar/secrets)\n`,
    });
    expect(readTree(path.join(dir, 'dist'))).toStrictEqual(before);
  });

  test('GIVEN --out-dir . in a repository with a tracked .gitignore THEN refused; the .gitignore stays', async () => {
    const git = requireTool('git', 'apt-get install -y git');
    const repo = tmp();
    execFileSync(git, ['init', '-q', repo]);
    fs.writeFileSync(path.join(repo, '.gitignore'), 'node_modules/\n');
    execFileSync(git, ['add', '.gitignore'], { cwd: repo });
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      expect(await pullSecret(['--out-dir', '.'])).toStrictEqual({
        code: 2,
        out: '',
        err: "modelcar: refusing to write Secrets into .: it holds files, and no .gitignore of modelcar's (writing would replace the folder's .gitignore with one that ignores everything); choose a folder of its own (e.g. .modelcar/secrets)\n",
      });
    } finally {
      process.chdir(cwd);
    }
    expect(fs.readFileSync(path.join(repo, '.gitignore'), 'utf8')).toBe('node_modules/\n');
    expect(fs.readdirSync(repo).sort()).toStrictEqual(['.git', '.gitignore']);
  });

  test('GIVEN a link inside the secrets folder to a folder elsewhere THEN refused; a link where the Secret goes is replaced, its target untouched', async () => {
    const dir = tmp();
    const secrets = path.join(dir, 'secrets');
    expect((await pullSecret(['--out-dir', secrets])).code).toBe(0);
    fs.writeFileSync(path.join(dir, 'target'), 'keep');
    fs.rmSync(path.join(secrets, 'ml', 'secret-quay-pull.yaml'));
    fs.symlinkSync(path.join(dir, 'target'), path.join(secrets, 'ml', 'secret-quay-pull.yaml'));
    expect((await pullSecret(['--out-dir', secrets])).code).toBe(0);
    expect(fs.lstatSync(path.join(secrets, 'ml', 'secret-quay-pull.yaml')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'target'), 'utf8')).toBe('keep');
    fs.mkdirSync(path.join(dir, 'elsewhere'));
    fs.rmSync(path.join(secrets, 'ml'), { recursive: true });
    fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(secrets, 'ml'));
    expect(await pullSecret(['--out-dir', secrets])).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${secrets}/ml is a symbolic link (to ${dir}/elsewhere), where modelcar needs a folder of its own in its secrets folder; modelcar never reads, writes or deletes through links there: replace the link with a folder, or remove it\n`,
    });
    expect(fs.readdirSync(path.join(dir, 'elsewhere'))).toStrictEqual([]);
  });
});
