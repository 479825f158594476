import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { PullSecret } from '../../src/constructs/pull-secret';
import { PropError } from '../../src/core/errors';
import { synthesize } from '../../src/pipeline/synthesize';
import { readTree } from '../support/tree';
import { objectsOf, testChart } from '../support/charts';
import { requireTool } from '../support/tools';

describe('PullSecret', () => {
  test('GIVEN a secret name THEN fromSecretName is a reference and emits nothing', () => {
    const chart = testChart('ns');
    expect(PullSecret.fromSecretName('quay-pull')).toStrictEqual({ name: 'quay-pull' });
    expect(objectsOf(chart)).toStrictEqual([]);
    expect(() => PullSecret.fromSecretName('Quay Pull')).toThrow(/^PullSecret.fromSecretName name: "Quay Pull" is not a valid/);
  });

  test('GIVEN credentials THEN the Secret equals what kubectl create secret docker-registry makes', () => {
    requireTool('kubectl', 'apt-get install -y kubernetes-client  # or any kubectl client');
    const credentials = { server: 'registry.example.com:5000', username: 'robot$ci', password: 'p<a>s&s"w\\ord é 日本', email: 'ci@example.com' };
    const chart = testChart('ns');
    const secret = new PullSecret(chart, 's', { name: 'registry-pull', credentials });
    const kubectl = JSON.parse(
      execFileSync(
        'kubectl',
        ['create', 'secret', 'docker-registry', 'registry-pull', '-n', 'ns', `--docker-server=${credentials.server}`, `--docker-username=${credentials.username}`,
          `--docker-password=${credentials.password}`, `--docker-email=${credentials.email}`, '--dry-run=client', '-o', 'json'],
        { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent' } },
      ),
    );
    delete kubectl.metadata.creationTimestamp;
    expect(secret.apiObject.toJson()).toStrictEqual(kubectl);
  });

  test('GIVEN a PullSecret THEN it is flagged as holding credentials, a reference is not', () => {
    const chart = testChart('ns');
    const s = new PullSecret(chart, 's', { name: 'x', credentials: { username: 'u', password: 'p' } });
    expect(PullSecret.holdsCredentials(s)).toBe(true);
    expect(PullSecret.holdsCredentials(chart)).toBe(false);
  });

  test('GIVEN a bad name or empty credentials THEN a PropError names each prop, never a credential', () => {
    let error: unknown;
    try {
      new PullSecret(testChart('ns'), 's', { name: 'Quay_Pull', namespace: 'NS', credentials: { username: 'robot', password: '' } });
    } catch (e) {
      error = e;
    }
    expect(PropError.isPropError(error)).toBe(true);
    expect((error as PropError).problems.map((p) => [p.construct, p.path, p.value])).toStrictEqual([
      ['PullSecret', ['name'], 'Quay_Pull'],
      ['PullSecret', ['namespace'], 'NS'],
      ['PullSecret', ['credentials'], undefined],
    ]);
    expect((error as PropError).message.split('\n')[2]).toBe('PullSecret credentials: password must not be empty');
  });
});

describe('PullSecret made from credentials, and plain cdk8s synth', () => {
  const CREDENTIALS = { server: 'quay.io', username: 'robot', password: 'hunter2-very-secret' };
  const AUTH = Buffer.from('robot:hunter2-very-secret').toString('base64');
  const temp: string[] = [];
  const tmp = (prefix: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    temp.push(dir);
    return dir;
  };
  afterEach(() => temp.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  /** Every file below a folder whose content holds the password, or the base64 that carries it. */
  const leaks = (dir: string) => Object.entries(readTree(dir)).filter(([, c]) => c.includes(CREDENTIALS.password) || c.includes(AUTH) || c.includes(Buffer.from(AUTH).toString('base64')));

  function app(outdir: string): App {
    const a = new App({ outdir });
    const chart = new Chart(a, 'models', { namespace: 'team-a' });
    new PullSecret(chart, 'pull', { name: 'quay-pull', credentials: CREDENTIALS });
    return a;
  }

  test('GIVEN a real cdk8s App WHEN app.synth() THEN it throws naming the safe ways, and no file holds the credentials', () => {
    const outdir = tmp('modelcar-cdk8s-');
    expect(() => app(outdir).synth()).toThrow(
      'PullSecret quay-pull holds registry credentials, which must not be written into the synthesized output (it is committed, and Argo CD applies it). ' +
        "Use one of the safe ways instead: reference a Secret that exists with PullSecret.fromSecretName('quay-pull'); create it in the cluster with `modelcar pull-secret`; " +
        'let the External Secrets Operator make it from a secret store with ExternalPullSecret; or commit a SealedSecret (`modelcar pull-secret --seal-with CERT`). ' +
        "modelcar's synthesize(scope, { outdir, source, secretsDir }) writes it only to secretsDir, outside the output",
    );
    expect(readTree(outdir)).toStrictEqual({});
    expect(leaks(outdir)).toStrictEqual([]);
  });

  test('GIVEN cdk8s synthYaml() THEN it throws too: the validation is the construct\'s, whatever synthesizes it', () => {
    expect(() => app(tmp('modelcar-cdk8s-')).synthYaml()).toThrow(/PullSecret quay-pull holds registry credentials/);
  });

  test('GIVEN modelcar synthesize with secretsDir THEN the Secret goes there only; afterwards plain app.synth() still refuses the tree', () => {
    const outdir = tmp('modelcar-dist-');
    const secretsDir = tmp('modelcar-secrets-');
    const a = app(tmp('modelcar-cdk8s-'));
    synthesize(a, { outdir, source: 'src/main.ts', secretsDir });
    expect(leaks(outdir)).toStrictEqual([]);
    expect(Object.keys(readTree(secretsDir))).toStrictEqual(['.gitignore', 'team-a/secret-quay-pull.yaml']);
    expect(leaks(secretsDir).map(([f]) => f)).toStrictEqual(['team-a/secret-quay-pull.yaml']);
    expect(() => a.synth()).toThrow(/PullSecret quay-pull holds registry credentials/);
    expect(leaks(a.outdir)).toStrictEqual([]);
  });
});
