import { ModelAuth } from '../../src/constructs/model-auth';
import { objectsOf, testChart } from '../support/charts';

describe('ModelAuth', () => {
  test('GIVEN an InferenceService name THEN the ServiceAccount, Role, RoleBinding and token Secret the OpenShift AI dashboard creates for its tokens (odh-dashboard v3.4.0 frontend/src/pages/modelServing/utils.ts setUpTokenAuth, frontend/src/api/k8s/secrets.ts assembleSecretSA)', () => {
    const chart = testChart('team-a');
    const auth = new ModelAuth(chart, 'auth', { inferenceService: 'granite' });
    expect([auth.serviceAccountName, auth.roleName, auth.roleBindingName, auth.tokenSecretName]).toStrictEqual(['granite-sa', 'granite-view-role', 'granite-view', 'default-name-granite-sa']);
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
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'default-name-granite-sa',
          namespace: 'team-a',
          labels: { 'opendatahub.io/dashboard': 'true' },
          annotations: { 'kubernetes.io/service-account.name': 'granite-sa', 'openshift.io/display-name': 'default-name' },
        },
        type: 'kubernetes.io/service-account-token',
      },
    ]);
  });

  test('GIVEN the token Secret THEN the dashboard lists it as a token of the model: it keeps Secrets labelled opendatahub.io/dashboard whose service-account.name is <runtime>-sa (odh-dashboard v3.4.0 useServingRuntimeSecrets.ts, ModelServingContext.tsx filterTokens with getTokenNames of spec.predictor.model.runtime)', () => {
    const chart = testChart('team-a');
    new ModelAuth(chart, 'auth', { inferenceService: 'granite' });
    // The dashboard's filter, applied to what modelcar emits, for a model whose runtime is named after it (one per model).
    const runtimeName = 'granite';
    const listed = objectsOf(chart).filter(
      (o) => o.kind === 'Secret' && o.metadata.labels?.['opendatahub.io/dashboard'] === 'true' && o.metadata.annotations?.['kubernetes.io/service-account.name'] === `${runtimeName}-sa`,
    );
    expect(listed.map((o) => o.metadata.name)).toStrictEqual(['default-name-granite-sa']);
    // A runtime shared by the namespace (kserve-ovms) gets none: the dashboard looks for kserve-ovms-sa.
    expect(objectsOf(chart).filter((o) => o.kind === 'Secret' && o.metadata.annotations?.['kubernetes.io/service-account.name'] === 'kserve-ovms-sa')).toStrictEqual([]);
  });

  test('GIVEN a namespace prop THEN it wins over the Chart; GIVEN a bad name THEN the prop is named', () => {
    const chart = testChart('other');
    new ModelAuth(chart, 'auth', { inferenceService: 'm', namespace: 'team-b' });
    expect(objectsOf(chart).map((o) => o.metadata.namespace)).toStrictEqual(['team-b', 'team-b', 'team-b', 'team-b']);
    expect(() => new ModelAuth(testChart('x'), 'a', { inferenceService: 'Model' })).toThrow(/^ModelAuth inferenceService: "Model" is not a valid/);
  });
});
