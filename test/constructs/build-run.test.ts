/**
 * The in-cluster build constructs from TypeScript: the Task shared per namespace, the TaskRun of a model image,
 * their props checked as the other constructs check theirs.
 */
import { App, Chart } from 'cdk8s';
import { testChart } from '../support/charts';
import { PropError } from '../../src/core/errors';
import { ModelLayouts } from '../../src/core/model-layout';
import { BuildRun, hubLockText, workspaceSize } from '../../src/constructs/build-run';
import { BUILD_STEP_SCRIPTS, BuildTask } from '../../src/constructs/build-task';
import { ModelImage } from '../../src/constructs/model-image';

const SHA = 'c'.repeat(64);

function chart(): Chart {
  return testChart('ml');
}

function image(scope: Chart, files = [{ source: 'https://example.com/m.onnx', sha256: SHA, size: 2 * 1024 ** 3 }], ref = 'quay.io/team/m:1'): ModelImage {
  return new ModelImage(scope, 'Image', { image: ref, files, layout: ModelLayouts.OVMS, contextPath: 'images/ml/m', model: { name: 'm', namespace: 'ml' } });
}

function problems(make: () => unknown): string[] {
  try {
    make();
  } catch (e) {
    if (PropError.isPropError(e)) return e.problems.map((p) => `${p.path.join('.')}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('BuildTask', () => {
  test('GIVEN two builds of a namespace THEN they share one Task; GIVEN another image for it THEN that is refused', () => {
    const c = chart();
    const a = BuildTask.shared(c, { image: 'ghcr.io/modelcar-dev/modelcar:0.1.0', modelcarVersion: '0.1.0' });
    expect(BuildTask.shared(c, { image: 'ghcr.io/modelcar-dev/modelcar:0.1.0', modelcarVersion: '0.1.0' })).toBe(a);
    expect(problems(() => BuildTask.shared(c, { image: 'ghcr.io/modelcar-dev/modelcar:0.2.0', modelcarVersion: '0.1.0' }))).toStrictEqual([
      'image: the Task modelcar-build of namespace ml is shared by the builds there and was already defined with another image, version or resources',
    ]);
  });

  test('GIVEN the Task THEN its steps run the scripts, in order, as non-root without capabilities', () => {
    const task = new BuildTask(chart(), 'Task', { image: 'ghcr.io/modelcar-dev/modelcar:0.1.0', modelcarVersion: '0.1.0' });
    expect(task.spec.steps.map((s: any) => [s.name, s.script])).toStrictEqual([
      ['prepare', BUILD_STEP_SCRIPTS.prepare],
      ['stage', BUILD_STEP_SCRIPTS.stage],
      ['build', BUILD_STEP_SCRIPTS.build],
    ]);
    expect(task.spec.stepTemplate.securityContext).toStrictEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    // No script holds a Tekton variable: values come in through the environment only.
    for (const s of task.spec.steps) expect(s.script).not.toMatch(/\$\((params|workspaces|results|context)[.[]/);
  });

  test('GIVEN bad props THEN every problem at once', () => {
    expect(problems(() => new BuildTask(chart(), 'Task', { image: 'ghcr.io/Team/modelcar:0.1.0', modelcarVersion: 'latest', resources: { requests: { memory: '4Gi' }, limits: { memory: '1Gi' } } }))).toStrictEqual([
      'image: "ghcr.io/Team/modelcar:0.1.0" is not a valid image reference: the repository path must be lowercase: "Team/modelcar" contains "T"; write "ghcr.io/team/modelcar:0.1.0"',
      'modelcarVersion: "latest" is not a version (e.g. 0.1.0)',
      'resources.requests.memory: Invalid value: "4Gi": must be less than or equal to memory limit of 1Gi',
    ]);
  });
});

describe('BuildRun', () => {
  test('GIVEN the same props twice THEN the same name; GIVEN another file THEN another', () => {
    const make = (sha: string) => {
      const c = chart();
      const task = BuildTask.shared(c, { image: 'ghcr.io/modelcar-dev/modelcar:0.1.0', modelcarVersion: '0.1.0' });
      return new BuildRun(c, 'Run', { image: image(c, [{ source: 'https://example.com/m.onnx', sha256: sha, size: 10 }]), task, config: 'version: 1\n', serviceAccount: 'pipeline' }).name;
    };
    expect(make(SHA)).toBe(make(SHA));
    expect(make(SHA)).not.toBe(make('d'.repeat(64)));
    expect(make(SHA)).toMatch(/^m-build-[0-9a-f]{10}$/);
  });

  test('GIVEN a local file, an unpinned one, s3 without a Secret, a digest for image and no credentials THEN every problem at once', () => {
    const c = chart();
    const task = BuildTask.shared(c, { image: 'ghcr.io/modelcar-dev/modelcar:0.1.0', modelcarVersion: '0.1.0' });
    const img = image(c, [{ source: __filename, sha256: SHA, size: 1 }, { source: 'https://example.com/a.bin' }, { source: 's3://b/k.bin', sha256: SHA, size: 1 }] as any, `quay.io/team/m@sha256:${SHA}`);
    expect(problems(() => new BuildRun(c, 'Run', { image: img, task, config: '' }))).toStrictEqual([
      `image: "quay.io/team/m@sha256:${SHA}" names no tag: an in-cluster build pushes the image, and a registry takes a push to a tag (the digest is known once pushed)`,
      'pushSecret: an in-cluster build pushes quay.io/team/m@sha256:' + SHA + ' and needs registry credentials: give pushSecret (a kubernetes.io/dockerconfigjson Secret in namespace ml) or serviceAccount (whose docker secrets Tekton gives the build)',
      'files.0.source: an in-cluster build cannot read a local file; give an http(s) or s3:// URL, or build this model where the file is (build: local)',
      'files.1.sha256: an in-cluster build checks every file it fetches: pin the sha256 of https://example.com/a.bin (`sha256sum` of the file prints it)',
      'files.1.size: an in-cluster build sizes its volume from the model\'s files: give the size of https://example.com/a.bin in bytes',
      'files.2.source: an in-cluster build reads s3://b/k.bin with the credentials of a Secret: set sourceSecret to a Secret of namespace ml with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (an OpenShift AI data connection)',
    ]);
  });

  test('GIVEN sizes THEN the volume holds the files plus 10% and 1 GiB, in whole GiB', () => {
    expect([workspaceSize(0), workspaceSize(1), workspaceSize(1024 ** 3), workspaceSize(16 * 1024 ** 3)]).toStrictEqual(['1Gi', '2Gi', '3Gi', '19Gi']);
  });

  test('GIVEN a Task of another namespace THEN refused', () => {
    const app = new App();
    const other = new Chart(app, 'other', { namespace: 'other' });
    const task = BuildTask.shared(other, { image: 'ghcr.io/modelcar-dev/modelcar:0.1.0', modelcarVersion: '0.1.0' });
    const c = new Chart(app, 'c', { namespace: 'ml' });
    expect(problems(() => new BuildRun(c, 'Run', { image: image(c), task, config: '', pushSecret: 'p' }))).toStrictEqual([
      'task: the Task is in namespace other, the build in ml: a TaskRun runs a Task of its own namespace',
    ]);
  });

  describe('of the files of a Hugging Face repository', () => {
    const COMMIT = 'a'.repeat(40);
    const hubImage = (scope: Chart, files: { path: string; sha256: string; size: number }[]) =>
      new ModelImage(scope, 'Image', { image: 'quay.io/team/m:1', files: [{ hub: { repo: 'org/m', commit: COMMIT, files } }], layout: ModelLayouts.OVMS, contextPath: 'images/ml/m', model: { name: 'm', namespace: 'ml' } });
    const config = (revision: string) => `version: 1\nmodels:\n  - name: m\n    files:\n      - repo: org/m\n        revision: ${revision}\n`;

    test('GIVEN a config that names the repository at the commit of its files THEN the run carries the lock of those files, and binds the token Secret', () => {
      const c = chart();
      const task = BuildTask.shared(c, { image: 'ghcr.io/modelcar-dev/modelcar:0.1.0', modelcarVersion: '0.1.0' });
      const img = hubImage(c, [{ path: 'model.onnx', sha256: SHA, size: 3 * 1024 ** 3 }]);
      const run = new BuildRun(c, 'Run', { image: img, task, config: config(COMMIT), serviceAccount: 'pipeline', hubTokenSecret: 'hf-token' });
      expect(run.apiObject.toJson().spec.params.slice(3)).toStrictEqual([{ name: 'lock', value: hubLockText(img.files) }]);
      expect(run.apiObject.toJson().spec.workspaces[1]).toStrictEqual({ name: 'hub-token', secret: { secretName: 'hf-token' } });
      expect(run.workspaceSize).toBe('5Gi');
    });

    test('GIVEN a config that names the repository at a branch THEN refused: the lock the run carries records the commit', () => {
      const c = chart();
      const task = BuildTask.shared(c, { image: 'ghcr.io/modelcar-dev/modelcar:0.1.0', modelcarVersion: '0.1.0' });
      const img = hubImage(c, [{ path: 'model.onnx', sha256: SHA, size: 1 }]);
      expect(problems(() => new BuildRun(c, 'Run', { image: img, task, config: config('main'), pushSecret: 'p', hubEndpoint: 'ftp://mirror' }))).toStrictEqual([
        'hubEndpoint: "ftp://mirror" is not an http(s) URL; give the hub or a mirror of it, e.g. https://hf-mirror.example.com',
        `config: the config names org/m at revision "main", but the run pins its files at commit ${COMMIT}: name that commit as the revision, so that the build takes the files the image was planned with`,
      ]);
    });

    test('GIVEN more files than a step\'s environment variable can list (128 KiB, Linux MAX_ARG_STRLEN) THEN refused at the repository, saying how to select fewer', () => {
      const c = chart();
      const task = BuildTask.shared(c, { image: 'ghcr.io/modelcar-dev/modelcar:0.1.0', modelcarVersion: '0.1.0' });
      const files = Array.from({ length: 1000 }, (_, i) => ({ path: `shards/model-${String(i).padStart(5, '0')}-of-01000.safetensors`, sha256: SHA, size: 1 }));
      const img = hubImage(c, files);
      const bytes = Buffer.byteLength(hubLockText(img.files));
      expect(bytes).toBeGreaterThan(128 * 1024);
      expect(problems(() => new BuildRun(c, 'Run', { image: img, task, config: config(COMMIT), pushSecret: 'p' }))).toStrictEqual([
        `files.0.hub: the record of the 1000 files of the model's Hugging Face repositories takes ${bytes} bytes, more than the 128 KiB a build step's environment variable can hold: select fewer files with include or exclude`,
      ]);
    });
  });
});
