/**
 * `modelcar build` before it runs a builder: which builder, which credentials, and the checks that stop a build
 * from a stale build context or unstaged files. The builds themselves are in test/e2e/modelcar-build.e2e.test.ts.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { dockerConfigJson } from '../../src/core/docker-config';
import { prepareAuthFile, standardAuthFiles } from '../../src/pipeline/registry-auth';
import { chooseBuilder } from '../../src/pipeline/builder';
import { PullSecret } from '../../src/constructs/pull-secret';
import { synthesize } from '../../src/pipeline/synthesize';
import { IMAGE_TOOLS_INSTALL } from '../support/registry';
import { requireTool } from '../support/tools';
import { cli, project } from '../support/project';
import { tempDir } from '../support/temp';

const PASSWORD = 's3cret<&>"pw';
const CREDENTIALS = { server: 'registry.example.com:5000', username: 'robot', password: PASSWORD };

/** A folder holding links named after commands (to the real buildah), or executables that only need to be found. */
function binDir(links: Record<string, string>, found: string[] = []): string {
  const dir = tempDir('modelcar-bin-');
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(dir, name));
  for (const name of found) fs.writeFileSync(path.join(dir, name), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return dir;
}

describe('choosing the builder', () => {
  const buildah = requireTool('buildah', IMAGE_TOOLS_INSTALL);

  test('GIVEN only buildah on PATH THEN buildah; GIVEN both THEN podman, as build.sh does; --builder picks', () => {
    expect(chooseBuilder(undefined, { PATH: binDir({ buildah }) })).toStrictEqual({ name: 'buildah', path: expect.stringMatching(/\/buildah$/) });
    const both = binDir({ buildah }, ['podman']);
    expect(chooseBuilder(undefined, { PATH: both }).name).toBe('podman');
    expect(chooseBuilder('buildah', { PATH: both })).toStrictEqual({ name: 'buildah', path: path.join(both, 'buildah') });
  });

  test('GIVEN a builder that is not installed, or none THEN the error says what is and how to install', () => {
    expect(() => chooseBuilder('podman', { PATH: binDir({ buildah }) })).toThrow('--builder podman: podman is not installed (not on PATH); buildah is: use --builder buildah');
    expect(() => chooseBuilder(undefined, { PATH: binDir({}) })).toThrow(
      'building an image needs podman or buildah, and neither is installed (on PATH): install podman or buildah (Debian/Ubuntu: apt-get install podman; Fedora/RHEL: dnf install podman; macOS: brew install podman)',
    );
    expect(() => chooseBuilder('docker', { PATH: '' })).toThrow('--builder: "docker" is not a builder modelcar knows; use podman or buildah');
  });
});

describe('registry credentials', () => {
  const dir = tempDir('modelcar-auth-test-');
  const payload = dockerConfigJson(CREDENTIALS);

  test('GIVEN no --authfile THEN the builder finds the standard file; the message names the one that exists', () => {
    const home = path.join(dir, 'home');
    fs.mkdirSync(path.join(home, '.docker'), { recursive: true });
    const env = { HOME: home, XDG_RUNTIME_DIR: path.join(dir, 'run') };
    const standard = standardAuthFiles(env);
    expect(standard.slice(-2)).toStrictEqual([path.join(home, '.config', 'containers', 'auth.json'), path.join(home, '.docker', 'config.json')]);
    expect(prepareAuthFile(undefined, env).describe).toBe('no auth file found (podman login / REGISTRY_AUTH_FILE): pushing anonymously');
    fs.writeFileSync(path.join(home, '.docker', 'config.json'), payload);
    const found = prepareAuthFile(undefined, env);
    expect({ path: found.path, describe: found.describe }).toStrictEqual({ path: undefined, describe: `credentials from ${path.join(home, '.docker', 'config.json')}` });
    const own = path.join(dir, 'own.json');
    fs.writeFileSync(own, payload);
    expect(standardAuthFiles({ ...env, REGISTRY_AUTH_FILE: own })[0]).toBe(own);
    expect(prepareAuthFile(undefined, { ...env, REGISTRY_AUTH_FILE: own }).describe).toBe(`credentials from ${own} (REGISTRY_AUTH_FILE)`);
  });

  test('GIVEN a Docker config JSON THEN it is handed over as it is', () => {
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, payload);
    expect(prepareAuthFile(file)).toMatchObject({ path: file, describe: `credentials from ${file}` });
  });

  test('GIVEN a pull secret modelcar wrote THEN its .dockerconfigjson goes to a private temporary file (0600) that cleanup removes', () => {
    const chart = new Chart(new App(), 'c', { namespace: 'ns', disableResourceNameHashes: true });
    new PullSecret(chart, 'p', { name: 'pull', credentials: CREDENTIALS });
    const outdir = path.join(dir, 'dist');
    fs.mkdirSync(outdir);
    synthesize(chart, { outdir, source: 'test', secretsDir: path.join(dir, 'secrets') });
    const secret = path.join(dir, 'secrets', 'ns', 'secret-pull.yaml');
    const auth = prepareAuthFile(secret);
    expect(auth.describe).toBe(`credentials from the pull secret pull in ${secret}`);
    expect({ content: fs.readFileSync(auth.path!, 'utf8'), mode: (fs.statSync(auth.path!).mode & 0o777).toString(8), dir: (fs.statSync(path.dirname(auth.path!)).mode & 0o777).toString(8) }).toStrictEqual({
      content: payload,
      mode: '600',
      dir: '700',
    });
    auth.cleanup();
    expect(fs.existsSync(path.dirname(auth.path!))).toBe(false);
  });

  test("GIVEN kubectl's pull secret (YAML) or one with stringData THEN the same credentials", () => {
    requireTool('kubectl', 'apt-get install -y kubernetes-client  # or any kubectl client');
    const yaml = execFileSync(
      'kubectl',
      ['create', 'secret', 'docker-registry', 'pull', `--docker-server=${CREDENTIALS.server}`, `--docker-username=${CREDENTIALS.username}`, `--docker-password=${PASSWORD}`, '--dry-run=client', '-o', 'yaml'],
      { encoding: 'utf8' },
    );
    const kubectl = path.join(dir, 'kubectl-secret.yaml');
    fs.writeFileSync(kubectl, yaml);
    const fromKubectl = prepareAuthFile(kubectl);
    expect(fs.readFileSync(fromKubectl.path!, 'utf8')).toBe(payload);
    fromKubectl.cleanup();
    const stringData = path.join(dir, 'string-data.yaml');
    fs.writeFileSync(stringData, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: pull\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '${payload}'\n`);
    const fromStringData = prepareAuthFile(stringData);
    expect(JSON.parse(fs.readFileSync(fromStringData.path!, 'utf8'))).toStrictEqual(JSON.parse(payload));
    fromStringData.cleanup();
  });

  test('GIVEN files that hold no registry credentials THEN the error says what was expected and shows nothing of the content', () => {
    const bad = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    const opaque = bad('opaque.yaml', `apiVersion: v1\nkind: Secret\ntype: Opaque\nstringData:\n  password: ${PASSWORD}\n`);
    expect(() => prepareAuthFile(opaque)).toThrow(
      `--authfile ${opaque}: neither a Docker config JSON ({"auths": {...}}, as podman login writes) nor a Secret of type kubernetes.io/dockerconfigjson`,
    );
    const broken = bad('broken.yaml', `kind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${Buffer.from(`{"user": "${PASSWORD}"`).toString('base64')}\n`);
    expect(() => prepareAuthFile(broken)).toThrow(`--authfile ${broken}: the Secret's .dockerconfigjson is not a Docker config JSON ({"auths": {...}})`);
    expect(() => prepareAuthFile(path.join(dir, 'missing.json'))).toThrow(`--authfile ${path.join(dir, 'missing.json')}: no such file`);
    // A committed pull secret may be a link to /dev/zero, or a FIFO stand in its place: refused at once.
    const zero = path.join(dir, 'zero.yaml');
    fs.symlinkSync('/dev/zero', zero);
    expect(() => prepareAuthFile(zero)).toThrow(`--authfile ${zero}: is a device, not a file`);
    const fifo = path.join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(() => prepareAuthFile(fifo)).toThrow(`--authfile ${fifo}: is a named pipe (FIFO), not a file`);
    for (const file of [opaque, broken]) {
      try {
        prepareAuthFile(file);
      } catch (e) {
        expect((e as Error).message).not.toContain(PASSWORD);
      }
    }
  });
});

describe('modelcar build refuses to build what it cannot vouch for', () => {
  requireTool('buildah', IMAGE_TOOLS_INSTALL);
  const config = (image = 'quay.io/team-a/model:1') =>
    ['version: 1', 'defaults:', '  namespace: team-a', '  runtime: kserve-ovms', 'models:', '  - name: model', '    format: onnx', `    image: ${image}`, '    files:', '      - source: model.onnx', `        sha256: ${'ab'.repeat(32)}`, ''].join('\n');

  test('GIVEN no build context, then a stale one THEN it asks for synth first', async () => {
    const p = project(config());
    p.file('model.onnx', 'weights');
    const rel = (f: string) => path.relative(process.cwd(), f);
    expect(await cli(['build', '-c', p.config, '-o', p.dist, '--builder', 'buildah'])).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: team-a/model: ${rel(path.join(p.dist, 'images/team-a/model/Containerfile'))} is missing; run \`modelcar synth -c ${p.config} -o ${p.dist}\` first\n`,
    });
    await cli(['synth', '-c', p.config, '-o', p.dist]);
    // Another base image changes the Containerfile (a new tag does not: it is not in the image).
    fs.writeFileSync(p.config, config().replace('    files:', '    baseImage: ubi9\n    files:'));
    expect((await cli(['build', '-c', p.config, '-o', p.dist, '--builder', 'buildah'])).err).toBe(
      `modelcar: team-a/model: ${rel(path.join(p.dist, 'images/team-a/model/Containerfile'))} is not what synth writes for the config now; run \`modelcar synth -c ${p.config} -o ${p.dist}\` first\n`,
    );
  });

  test('GIVEN files not staged, or not matching the config THEN it asks for stage first', async () => {
    const p = project(config());
    p.file('model.onnx', 'weights');
    await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect((await cli(['build', '-c', p.config, '-o', p.dist, '--builder', 'buildah'])).err).toBe('modelcar: team-a/model: models/1/model.onnx is not staged. Run `modelcar stage team-a/model` first.\n');
    const staged = path.join(p.dist, 'images/team-a/model/models/1/model.onnx');
    fs.mkdirSync(path.dirname(staged), { recursive: true });
    fs.writeFileSync(staged, 'weights');
    expect((await cli(['build', '-c', p.config, '-o', p.dist, '--builder', 'buildah'])).err).toBe(
      `modelcar: team-a/model: models/1/model.onnx has sha256 ${createHash('sha256').update('weights').digest('hex')}, but the config expects ${'ab'.repeat(32)}. Run \`modelcar stage team-a/model\` first.\n`,
    );
  });

  test('GIVEN an image given by digest and --push THEN it refuses: a digest cannot be pushed to', async () => {
    const p = project(config(`quay.io/team-a/model@sha256:${'a'.repeat(64)}`));
    p.file('model.onnx', 'weights');
    await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect((await cli(['build', '-c', p.config, '-o', p.dist, '--builder', 'buildah', '--push'])).err).toBe(
      `modelcar: team-a/model: image quay.io/team-a/model@sha256:${'a'.repeat(64)} is given by digest, and a digest cannot be pushed to; give a tag in the config\n`,
    );
  });

  test('build --help shows the options', async () => {
    const { code, out } = await cli(['build', '--help']);
    expect(code).toBe(0);
    for (const option of ['--push', '--builder', '--layout', '--authfile', '--tls-verify']) expect(out).toContain(option);
    expect(out).toContain('[choices: "modelcar", "podman", "buildah"]');
  });
});

describe("choosing modelcar's own image writer", () => {
  const config = ['version: 1', 'defaults:', '  namespace: team-a', '  runtime: kserve-ovms', 'models:', '  - name: model', '    format: onnx', '    image: quay.io/team-a/model:1', '    files:', '      - source: model.onnx', ''].join('\n');

  test('GIVEN --builder modelcar without --push or --layout THEN exit 2: it writes to a registry or a layout, podman or buildah build locally', async () => {
    const p = project(config);
    p.file('model.onnx', 'weights');
    await cli(['synth', '-c', p.config, '-o', p.dist]);
    const result = await cli(['build', '-c', p.config, '-o', p.dist, '--builder', 'modelcar']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^modelcar: --builder modelcar writes an image to a registry \(--push\) or to an OCI layout folder \(--layout DIR\); to build into local container storage use --builder (podman|buildah)\n$/);
  });

  test('GIVEN --push and --layout, or --layout with podman THEN exit 2 naming the conflict', async () => {
    const p = project(config);
    p.file('model.onnx', 'weights');
    await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect(await cli(['build', '-c', p.config, '-o', p.dist, '--push', '--layout', path.join(p.dir, 'oci')])).toStrictEqual({
      code: 2,
      out: '',
      err: 'modelcar: --layout writes the images into a folder instead of pushing them; give --push or --layout, not both\n',
    });
    expect(await cli(['build', '-c', p.config, '-o', p.dist, '--builder', 'podman', '--layout', path.join(p.dir, 'oci')])).toStrictEqual({
      code: 2,
      out: '',
      err: 'modelcar: --layout is written by --builder modelcar, not podman\n',
    });
  });

  test('GIVEN compression none with podman THEN refused before anything is built: podman 4 cannot push uncompressed layers', async () => {
    const p = project(config.replace('  runtime: kserve-ovms', '  runtime: kserve-ovms\n  compression: none'));
    p.file('model.onnx', 'weights');
    await cli(['synth', '-c', p.config, '-o', p.dist]);
    await cli(['stage', '-c', p.config, '-o', p.dist]);
    requireTool('podman', IMAGE_TOOLS_INSTALL);
    expect(await cli(['build', '-c', p.config, '-o', p.dist, '--builder', 'podman', '--push'])).toStrictEqual({
      code: 1,
      out: '',
      err: 'modelcar: team-a/model: compression none: podman cannot push uncompressed layers; use --builder modelcar or buildah, or compression zstd or gzip\n',
    });
  });
});
