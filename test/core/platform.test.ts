import { checkKserveVersion, defaultDeploymentMode, deploymentKind, deploymentModeFor, modelcarUidNote } from '../../src/core/platform';

describe('platform and KServe version', () => {
  test('GIVEN KServe 0.15 THEN the old mode names stay and the new ones are refused with the old name to use', () => {
    expect(deploymentModeFor('Serverless', '0.15')).toBe('Serverless');
    expect(deploymentModeFor('RawDeployment', '0.15')).toBe('RawDeployment');
    expect(() => deploymentModeFor('Knative', '0.15')).toThrow('deploymentMode: "Knative" is a KServe 0.16 name, but kserveVersion is 0.15; use "Serverless", or set kserveVersion to "0.16" or later');
    expect(defaultDeploymentMode()).toBe('Serverless');
  });

  test('GIVEN KServe 0.16 or later THEN every mode is written by its new name, the deprecated ones included', () => {
    for (const version of ['0.16', '0.20', '1.0']) {
      expect([deploymentModeFor('Serverless', version), deploymentModeFor('Knative', version)]).toStrictEqual(['Knative', 'Knative']);
      expect([deploymentModeFor('RawDeployment', version), deploymentModeFor('Standard', version)]).toStrictEqual(['Standard', 'Standard']);
      expect(defaultDeploymentMode(version)).toBe('Knative');
    }
    expect([deploymentKind('Serverless'), deploymentKind('Knative'), deploymentKind('RawDeployment'), deploymentKind('Standard')]).toStrictEqual(['knative', 'knative', 'raw', 'raw']);
  });

  test('GIVEN versions THEN only <major>.<minor> of 0.15 or later passes', () => {
    expect(['0.15', '0.16', '0.20', '1.2'].map(checkKserveVersion)).toStrictEqual([undefined, undefined, undefined, undefined]);
    expect(checkKserveVersion('v0.15')).toBe('"v0.15" is not a KServe version; write "<major>.<minor>", e.g. "0.15" or "0.16"');
    expect(checkKserveVersion('0.15.2')).toMatch(/^"0.15.2" is not a KServe version/);
    expect(checkKserveVersion('0.11')).toBe('KServe 0.11 is older than modelcar supports; modelcar needs KServe 0.15 or later (OCI model images need 0.12, OpenShift AI 2.x ships 0.15)');
  });

  test('the kserve note names the UID, where it is set, and the cluster-wide alternative', () => {
    expect(modelcarUidNote(65534)).toBe(
      "platform kserve: KServe's modelcar sidecar shares the model through /proc/<pid>/root, which the model server can follow only when both containers run as the same UID; modelcar sets spec.predictor.securityContext.runAsUser: 65534 (the model image's USER) on each InferenceService that runs the sidecar. Cluster admins can set uidModelcar in KServe's inferenceservice-config ConfigMap instead",
    );
  });
});
