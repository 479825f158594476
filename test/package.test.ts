/**
 * The package as a user gets it: `npm pack` of a fresh copy of the sources (its prepack step builds lib/ afresh),
 * installed offline into a project of the user's, its `modelcar` command run there; and `npm link`.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { npm, npmSucceeded, packModelcar, PKG, TARBALL } from './support/package';
import { tempDir } from './support/temp';
import { readTree } from './support/tree';

const ROOT = path.resolve(__dirname, '..');

function mustSucceed(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The files tsc makes of src/ or imports/: a .js and a .d.ts for each .ts, a copy of each .json (tsconfig.json's include). */
function compiledFrom(dir: string): string[] {
  const walk = (rel: string): string[] =>
    fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true }).flatMap((e) => {
      const child = path.posix.join(rel, e.name);
      if (e.isDirectory()) return e.name === 'generated' ? [] : walk(child);
      if (e.name.endsWith('.json')) return [`lib/${child}`];
      return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [`lib/${child.replace(/\.ts$/, '.js')}`, `lib/${child.replace(/\.ts$/, '.d.ts')}`] : [];
    });
  return walk(dir);
}

describe('the package', () => {
  let work: string;
  let packed: { files: { path: string }[] };

  beforeAll(() => {
    work = tempDir('modelcar-package-');
    packed = packModelcar(work);
  }, 300_000);

  test('GIVEN npm pack THEN the tarball holds the compiled code of src/ and imports/, the schema, the generated validators, README and LICENSE: no sources, no tools/, no tests', () => {
    const files = packed.files.map((f) => f.path).sort();
    const generated = (dir: string) => fs.readdirSync(path.join(ROOT, dir)).map((f) => `${dir}/${f}`);
    expect(files).toStrictEqual(
      [
        'LICENSE',
        'README.md',
        'package.json',
        'src/config/modelcar.schema.json',
        ...generated('src/config/generated'),
        ...generated('src/validation/generated'),
        ...compiledFrom('src'),
        ...compiledFrom('imports'),
      ].sort(),
    );
    expect(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
  });

  test('GIVEN the packed package.json THEN no script runs when a user installs it (npm 11 blocks and warns about those)', () => {
    const extract = tempDir('modelcar-extract-');
    mustSucceed(spawnSync('tar', ['-xzf', path.join(work, TARBALL), '-C', extract], { encoding: 'utf8' }), 'tar');
    const pkg = JSON.parse(fs.readFileSync(path.join(extract, 'package', 'package.json'), 'utf8'));
    expect(Object.keys(pkg.scripts).filter((s) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(s))).toStrictEqual([]);
    expect({ license: pkg.license, repository: pkg.repository, bin: pkg.bin, yaml: pkg.dependencies.yaml, ajv: pkg.dependencies.ajv }).toStrictEqual({
      license: 'Apache-2.0',
      repository: { type: 'git', url: 'git+https://github.com/modelcar-dev/modelcar.git' },
      bin: { modelcar: 'lib/src/cli/main.js' },
      yaml: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      ajv: expect.stringMatching(/^\d+\.\d+\.\d+$/),
    });
  });

  test("GIVEN a user's project THEN the tarball installs (offline, at the versions of package-lock.json), without install-script warnings; its modelcar command synthesizes the example as the checkout does", () => {
    const project = tempDir('modelcar-user-');
    fs.copyFileSync(path.join(work, TARBALL), path.join(project, TARBALL));
    // The user's lock file: modelcar from the tarball, its dependencies as this repository's lock file pins them.
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    const dependencies = Object.fromEntries(Object.entries(lock.packages as Record<string, { dev?: boolean }>).filter(([name, entry]) => name !== '' && !entry.dev));
    const spec = `file:${TARBALL}`;
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, dependencies: { modelcar: spec } }, null, 2));
    fs.writeFileSync(
      path.join(project, 'package-lock.json'),
      JSON.stringify({
        name: 'user-project',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'user-project', dependencies: { modelcar: spec } },
          'node_modules/modelcar': { version: PKG.version, resolved: spec, license: PKG.license, dependencies: PKG.dependencies, bin: PKG.bin, engines: PKG.engines },
          ...dependencies,
        },
      }),
    );
    const install = npmSucceeded(npm(['ci'], project), 'npm ci of the packed tarball');
    expect(install.stderr).not.toMatch(/install-scripts|allowScripts/);

    const modelcar = path.join(project, 'node_modules', '.bin', 'modelcar');
    expect(spawnSync(modelcar, ['--version'], { encoding: 'utf8' })).toMatchObject({ status: 0, stdout: `${PKG.version}\n`, stderr: '' });
    fs.mkdirSync(path.join(project, 'examples', 'mobilenet'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'examples', 'mobilenet', 'modelcar.yaml'), path.join(project, 'examples', 'mobilenet', 'modelcar.yaml'));
    mustSucceed(spawnSync(modelcar, ['synth', '-c', 'examples/mobilenet/modelcar.yaml', '-o', 'dist'], { cwd: project, encoding: 'utf8' }), 'modelcar synth');
    expect(readTree(path.join(project, 'dist'))).toStrictEqual(readTree(path.join(ROOT, 'dist')));
    const api = spawnSync(process.execPath, ['-e', "const m = require('modelcar'); console.log(typeof m.OciModel, require.resolve('modelcar'))"], { cwd: project, encoding: 'utf8' });
    expect(api.stdout).toBe(`function ${fs.realpathSync(project)}/node_modules/modelcar/lib/src/index.js\n`);
  }, 300_000);

  test('GIVEN npm link in a built checkout THEN modelcar is a command that runs that checkout', () => {
    const prefix = tempDir('modelcar-prefix-');
    const env = { ...process.env, npm_config_prefix: prefix };
    const link = spawnSync('npm', ['link', '--offline', '--no-audit', '--no-fund'], { cwd: path.join(work, 'source'), env, encoding: 'utf8' });
    mustSucceed(link, 'npm link');
    expect(fs.realpathSync(path.join(prefix, 'bin', 'modelcar'))).toBe(fs.realpathSync(path.join(work, 'source', 'lib', 'src', 'cli', 'main.js')));
    expect(spawnSync(path.join(prefix, 'bin', 'modelcar'), ['--version'], { encoding: 'utf8' })).toMatchObject({ status: 0, stdout: `${PKG.version}\n` });
  }, 120_000);
});
