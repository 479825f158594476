import { execFileSync } from 'child_process';
import { PullSecret } from '../../src/constructs/pull-secret';
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
    new PullSecret(chart, 's', { name: 'registry-pull', credentials });
    const kubectl = JSON.parse(
      execFileSync(
        'kubectl',
        ['create', 'secret', 'docker-registry', 'registry-pull', '-n', 'ns', `--docker-server=${credentials.server}`, `--docker-username=${credentials.username}`,
          `--docker-password=${credentials.password}`, `--docker-email=${credentials.email}`, '--dry-run=client', '-o', 'json'],
        { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent' } },
      ),
    );
    delete kubectl.metadata.creationTimestamp;
    expect(objectsOf(chart)).toStrictEqual([kubectl]);
  });

  test('GIVEN a PullSecret THEN it is flagged as holding credentials, a reference is not', () => {
    const chart = testChart('ns');
    const s = new PullSecret(chart, 's', { name: 'x', credentials: { username: 'u', password: 'p' } });
    expect(PullSecret.holdsCredentials(s)).toBe(true);
    expect(PullSecret.holdsCredentials(chart)).toBe(false);
  });
});
