import { deploymentKind, modelcarUidNote } from '../../src/core/platform';

describe('platform and KServe version', () => {
  test('GIVEN the deployment modes THEN their kind, by the old names and the new', () => {
    expect([deploymentKind('Serverless'), deploymentKind('Knative'), deploymentKind('RawDeployment'), deploymentKind('Standard')]).toStrictEqual(['knative', 'knative', 'raw', 'raw']);
  });

  test('the kserve note names the UID, where it is set, and the cluster-wide alternative', () => {
    expect(modelcarUidNote(65534)).toBe(
      "platform kserve: KServe's modelcar sidecar shares the model through /proc/<pid>/root, which the model server can follow only when both containers run as the same UID; modelcar sets spec.predictor.securityContext.runAsUser: 65534 (the model image's USER) on each InferenceService that runs the sidecar. Cluster admins can set uidModelcar in KServe's inferenceservice-config ConfigMap instead",
    );
  });
});
