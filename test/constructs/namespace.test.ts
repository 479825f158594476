import { Namespace } from '../../src/constructs/namespace';
import { objectsOf, testChart } from '../support/charts';

describe('Namespace', () => {
  // The labels odh-dashboard v2.25.0 and v3.4.0 set and list projects by
  // (backend/src/routes/api/namespaces/namespaceUtils.ts applyNamespaceChange, frontend/src/api/k8s/projects.ts).
  test('GIVEN a name WHEN synthesized THEN it carries the ODH single-model serving labels the dashboard lists projects by', () => {
    const chart = testChart();
    new Namespace(chart, 'ns', { name: 'oci-model-example' });
    expect(objectsOf(chart)).toStrictEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'oci-model-example', labels: { 'modelmesh-enabled': 'false', 'opendatahub.io/dashboard': 'true' } },
      },
    ]);
  });

  test('GIVEN display name, description, extra labels and platform kserve THEN only what was asked is set', () => {
    const chart = testChart();
    new Namespace(chart, 'ns', { name: 'plain', platform: 'kserve', displayName: 'Plain', description: 'no ODH', labels: { team: 'ml' } });
    expect(objectsOf(chart)).toStrictEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'plain',
          labels: { team: 'ml' },
          annotations: { 'openshift.io/display-name': 'Plain', 'openshift.io/description': 'no ODH' },
        },
      },
    ]);
  });

  test('GIVEN a chart with a namespace THEN the Namespace object itself gets no metadata.namespace', () => {
    const chart = testChart('other');
    new Namespace(chart, 'ns', { name: 'mine', platform: 'kserve' });
    expect(objectsOf(chart)[0].metadata).toStrictEqual({ name: 'mine' });
  });

  test('GIVEN an invalid name THEN the constructor names the prop and the value', () => {
    expect(() => new Namespace(testChart(), 'ns', { name: 'Bad_Name' })).toThrow(/^Namespace name: "Bad_Name" is not a valid/);
  });
});
