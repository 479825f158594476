/**
 * Token auth that the cluster enforces: the marker where each release's controllers read it, the token Secret the
 * dashboard lists, and a warning of what a Serverless model's auth needs from the cluster.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { cli, project } from '../support/project';

const MODEL = (name: string, extra = '') => `
  - name: ${name}
    format: onnx
    image: quay.io/user/${name}:1
    files: [{ source: https://example.com/model.onnx }]${extra}`;

async function synth(config: string) {
  const p = project(config, 'modelcar-auth-');
  const result = await cli(['synth', '-c', p.config, '-o', p.dist]);
  const read = (f: string) => YAML.parse(fs.readFileSync(path.join(p.dist, 'manifests', 'demo', f), 'utf8'));
  return { ...result, err: result.err.split(p.dir + path.sep).join(''), read, dist: p.dist };
}

describe('token auth per release', () => {
  test('GIVEN OpenDataHub 2.25 THEN a RawDeployment model carries the label its KServe reads (opendatahub-io/kserve odh-v2.25 deployment_reconciler.go) and the annotation its dashboard shows; a Serverless one the annotation only (odh-model-controller odh-v2.25 authconfig.go)', async () => {
    const r = await synth(`version: 1\nplatform: odh\nrelease: "2.25"\ndefaults: { namespace: demo, runtime: kserve-ovms }\nmodels:${MODEL('raw', '\n    deploymentMode: RawDeployment')}${MODEL('knative')}\n`);
    expect(r.code).toBe(0);
    const raw = r.read('inferenceservice-raw.yaml').metadata;
    expect([raw.labels['security.opendatahub.io/enable-auth'], raw.annotations['security.opendatahub.io/enable-auth']]).toStrictEqual(['true', 'true']);
    const knative = r.read('inferenceservice-knative.yaml').metadata;
    expect([knative.labels['security.opendatahub.io/enable-auth'], knative.annotations['security.opendatahub.io/enable-auth']]).toStrictEqual([undefined, 'true']);
  });

  test('GIVEN OpenDataHub 2.26 THEN the annotation only, also for RawDeployment (odh-v2.26 deployment_reconciler.go reads componentMeta.Annotations)', async () => {
    const r = await synth(`version: 1\nrelease: "2.26"\ndefaults: { namespace: demo, runtime: kserve-ovms, deploymentMode: RawDeployment }\nmodels:${MODEL('raw')}\n`);
    expect(r.read('inferenceservice-raw.yaml').metadata.labels).toStrictEqual({ 'opendatahub.io/dashboard': 'true' });
    expect(r.read('inferenceservice-raw.yaml').metadata.annotations['security.opendatahub.io/enable-auth']).toBe('true');
  });

  test('GIVEN OpenShift AI 2.16 THEN token auth on a RawDeployment model is refused at its line: that release has no RawDeployment auth', async () => {
    const r = await synth(`version: 1\nplatform: rhoai\nrelease: "2.16"\ndefaults: { namespace: demo, runtime: kserve-ovms }\nmodels:${MODEL('raw', '\n    deploymentMode: RawDeployment')}\n`);
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toBe(
      'modelcar: modelcar.yaml:10:21: models[0].deploymentMode: OpenShift AI 2.16 has no token auth for RawDeployment models (its KServe never reads security.opendatahub.io/enable-auth); set auth to false and protect the model another way, or deploy it Serverless\n1 problem found; nothing was written.\n',
    );
  });

  test('GIVEN a model with token auth THEN its token Secret is emitted, after its ServiceAccount, and lists no credential', async () => {
    const r = await synth(`version: 1\ndefaults: { namespace: demo, runtime: kserve-ovms }\nmodels:${MODEL('mobilenet')}\n`);
    expect(r.read('secret-default-name-mobilenet-sa.yaml')).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'default-name-mobilenet-sa',
        namespace: 'demo',
        labels: { 'opendatahub.io/dashboard': 'true' },
        annotations: { 'argocd.argoproj.io/sync-wave': '-1', 'kubernetes.io/service-account.name': 'mobilenet-sa', 'openshift.io/display-name': 'default-name' },
      },
      type: 'kubernetes.io/service-account-token',
    });
    const kustomization = r.read('kustomization.yaml').resources as string[];
    expect(kustomization.indexOf('serviceaccount-mobilenet-sa.yaml')).toBeLessThan(kustomization.indexOf('secret-default-name-mobilenet-sa.yaml'));
  });

  test('GIVEN Serverless models with token auth THEN synth warns once, at the first one, that the cluster needs Authorino (odh-model-controller kserve_authconfig_reconciler.go skips the AuthConfig without it)', async () => {
    const r = await synth(`version: 1\nrelease: "2.35"\ndefaults: { namespace: demo, runtime: kserve-ovms }\nmodels:${MODEL('raw', '\n    deploymentMode: RawDeployment')}${MODEL('open', '\n    auth: false')}${MODEL('a')}${MODEL('b')}\n`);
    expect(r.code).toBe(0);
    expect(r.err).toBe(
      'modelcar: warning: modelcar.yaml:15:5: models[2]: token auth of Serverless models holds only if Authorino guards the service mesh (an Istio AuthorizationPolicy with action CUSTOM for component: predictor in the mesh namespace, which the OpenDataHub operator makes when Authorino is installed): without it odh-model-controller skips the AuthConfig without an error and the model answers without a token; see README, Cluster prerequisites\n',
    );
    const none = await synth(`version: 1\nrelease: "3.4"\ndefaults: { namespace: demo, runtime: kserve-ovms }\nmodels:${MODEL('a')}\n`);
    expect(none.err).toBe('');
  });
});
