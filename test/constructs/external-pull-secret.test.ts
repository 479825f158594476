import { dockerConfigJson, goJsonString } from '../../src/core/docker-config';
import { ExternalPullSecret, dockerConfigTemplate } from '../../src/constructs/external-pull-secret';
import { objectsOf, testChart } from '../support/charts';

/** Renders the operator template the way its three actions work: toJson is Go's json.Marshal, b64enc standard base64. */
function render(template: string, username: string, password: string): string {
  return template
    .replace('{{ .username | toJson }}', goJsonString(username))
    .replace('{{ .password | toJson }}', goJsonString(password))
    .replace('{{ printf "%s:%s" .username .password | b64enc | toJson }}', JSON.stringify(Buffer.from(`${username}:${password}`).toString('base64')));
}

describe('ExternalPullSecret', () => {
  test('GIVEN a store and key THEN an ExternalSecret that renders a dockerconfigjson Secret of the same name', () => {
    const chart = testChart('ml');
    new ExternalPullSecret(chart, 'p', { name: 'quay-pull', server: 'quay.io', store: 'vault', storeKind: 'ClusterSecretStore', key: 'registries/quay' });
    expect(objectsOf(chart)).toStrictEqual([
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'quay-pull', namespace: 'ml' },
        spec: {
          refreshInterval: '1h',
          secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
          target: {
            name: 'quay-pull',
            creationPolicy: 'Owner',
            template: {
              type: 'kubernetes.io/dockerconfigjson',
              engineVersion: 'v2',
              data: {
                '.dockerconfigjson':
                  '{"auths":{"quay.io":{"username":{{ .username | toJson }},"password":{{ .password | toJson }},"auth":{{ printf "%s:%s" .username .password | b64enc | toJson }}}}}',
              },
            },
          },
          data: [
            { secretKey: 'username', remoteRef: { key: 'registries/quay', property: 'username' } },
            { secretKey: 'password', remoteRef: { key: 'registries/quay', property: 'password' } },
          ],
        },
      },
    ]);
  });

  test.each([
    ['robot', 'plain'],
    ['robot$ci', 'p<a>s&s"w\\ord é 日本 \u2028'],
    ['user:colon', 'x'.repeat(300)],
  ])('GIVEN credentials %s THEN the rendered template is byte-identical to kubectl\'s dockerconfigjson', (username, password) => {
    for (const server of ['quay.io', 'registry.example.com:5000', 'https://index.docker.io/v1/']) {
      expect(render(dockerConfigTemplate(server), username, password)).toBe(dockerConfigJson({ server, username, password }));
    }
  });

  test('GIVEN bad props THEN errors name the prop', () => {
    expect(() => new ExternalPullSecret(testChart('ml'), 'p', { name: 'Bad', store: 's', key: 'k' })).toThrow(/^ExternalPullSecret name: "Bad" is not a valid/);
    expect(() => new ExternalPullSecret(testChart('ml'), 'p', { name: 'x', store: '', key: 'k' })).toThrow('ExternalPullSecret store: must name a SecretStore or ClusterSecretStore');
    expect(() => new ExternalPullSecret(testChart('ml'), 'p', { name: 'x', store: 's', key: 'k', server: '{{ .evil }}' })).toThrow(
      'ExternalPullSecret server: "{{ .evil }}" must not contain "{{" or "}}"',
    );
  });
});
