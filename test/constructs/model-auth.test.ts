import { ModelAuth } from '../../src/constructs/model-auth';
import { objectsOf, testChart } from '../support/charts';

describe('ModelAuth', () => {
  test('GIVEN an InferenceService name THEN the ServiceAccount, Role and RoleBinding the OpenShift AI dashboard creates for its tokens', () => {
    const chart = testChart('team-a');
    const auth = new ModelAuth(chart, 'auth', { inferenceService: 'granite' });
    expect([auth.serviceAccountName, auth.roleName, auth.roleBindingName]).toStrictEqual(['granite-sa', 'granite-view-role', 'granite-view']);
    expect(objectsOf(chart)).toStrictEqual([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'granite-sa', namespace: 'team-a' } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'granite-view-role', namespace: 'team-a', labels: { 'opendatahub.io/dashboard': 'true' } },
        rules: [{ verbs: ['get'], apiGroups: ['serving.kserve.io'], resources: ['inferenceservices'], resourceNames: ['granite'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'granite-view', namespace: 'team-a', labels: { 'opendatahub.io/dashboard': 'true' } },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'granite-view-role' },
        subjects: [{ kind: 'ServiceAccount', name: 'granite-sa' }],
      },
    ]);
  });

  test('GIVEN a namespace prop THEN it wins over the Chart; GIVEN a bad name THEN the prop is named', () => {
    const chart = testChart('other');
    new ModelAuth(chart, 'auth', { inferenceService: 'm', namespace: 'team-b' });
    expect(objectsOf(chart).map((o) => o.metadata.namespace)).toStrictEqual(['team-b', 'team-b', 'team-b']);
    expect(() => new ModelAuth(testChart('x'), 'a', { inferenceService: 'Model' })).toThrow(/^ModelAuth inferenceService: "Model" is not a valid/);
  });
});
