/**
 * The Tekton objects synth writes, judged as Tekton Pipelines v1.15.0 judges them: against its CRD schemas (read in
 * ../shared/tekton/crds/v1.15.0, tekton.dev/v1; fields the schema does not know are refused here, since the API
 * server would prune them silently), and against the rules of its admission webhook and of its reconciler
 * (src/validation/tekton.ts, which names the function of tektoncd/pipeline each rule follows). Each rule is also
 * shown to catch the mistake it is there for.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import * as YAML from 'yaml';
import { convertSchema } from '../../tools/crd-schema';
import { loadConfig } from '../../src/config/load';
import { renderConfig } from '../../src/pipeline/synthesize';
import { SourcePins, renderLock } from '../../src/pipeline/lock';
import { OutputValidationError, validateOutput } from '../../src/validation/validate-output';
import { referencedVariables, runAgainstTaskProblems, taskProblems, taskRunProblems, tektonProblems } from '../../src/validation/tekton';
import { sharedPath } from '../support/shared';
import { tempDir } from '../support/temp';

const SHA = 'a'.repeat(64);
const CONFIG = `version: 1
defaults:
  namespace: ml
  build: in-cluster
inCluster:
  pushSecret: quay-push
  serviceAccount: pipeline
  storageClass: gp3-csi
  timeout: 90m
  resources: { limits: { memory: 2Gi } }
  hubEndpoint: https://hf-mirror.example.com
models:
  - name: mobilenet
    runtime: kserve-ovms
    format: onnx
    image: quay.io/team/mobilenet:v2-7
    sourceSecret: models-bucket
    files:
      - source: s3://models/mobilenet/model.onnx
        sha256: ${SHA}
        size: 14246826
  - name: granite
    runtime: vllm-cuda-runtime
    format: vLLM
    image: quay.io/team/granite:3.1
    files:
      - source: https://example.com/granite/model.safetensors
        sha256: ${SHA}
        size: 5368709120
  - name: llama
    runtime: vllm-cuda-runtime
    format: vLLM
    image: quay.io/team/llama:3.2
    hubTokenSecret: hf-token
    files:
      - repo: meta-llama/Llama-tiny
        revision: main
`;

/** The lock file's record of the gated repository of the llama model, which its TaskRun carries. */
const LOCK = renderLock(
  { images: {}, sources: { folders: {}, hub: { 'meta-llama/Llama-tiny@main': { commit: 'c'.repeat(40), files: { 'config.json': { sha256: `sha256:${SHA}`, size: 24 }, 'model.safetensors': { sha256: `sha256:${SHA}`, size: 64_000 } } } } } },
  'modelcar.yaml',
);

let objects: any[];

beforeAll(() => {
  const dir = tempDir('modelcar-tekton-');
  fs.writeFileSync(path.join(dir, 'modelcar.yaml'), CONFIG);
  fs.writeFileSync(path.join(dir, 'modelcar.lock.yaml'), LOCK);
  const output = renderConfig(loadConfig(path.join(dir, 'modelcar.yaml')), { source: 'modelcar.yaml', outdir: path.join(dir, 'dist') }, { sources: SourcePins.forConfig(path.join(dir, 'modelcar.yaml')) });
  objects = output.files.filter((f) => f.path.startsWith('builds/') && !f.path.endsWith('kustomization.yaml')).map((f) => f.data);
});

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const task = () => clone(objects.find((o) => o.kind === 'Task'));
const run = (model = 'mobilenet') => clone(objects.find((o) => o.kind === 'TaskRun' && o.metadata.labels['dev.modelcar.model.name'] === model));

/** The tekton.dev/v1 schema of a CRD of ../shared/tekton, as ajv validates it, unknown fields refused. */
function crdValidator(file: string) {
  const crd = YAML.parse(fs.readFileSync(sharedPath('tekton', 'crds', 'v1.15.0', file), 'utf8'));
  const version = crd.spec.versions.find((v: any) => v.name === 'v1');
  return new Ajv({ allErrors: true, strict: false }).compile(convertSchema(version.schema.openAPIV3Schema));
}

describe('the Tekton objects against the CRD schemas of Tekton v1.15.0', () => {
  test('GIVEN a config with in-cluster builds THEN one Task per namespace and one TaskRun per model, tekton.dev/v1', () => {
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name.replace(/[0-9a-f]{10}$/, '<digest>')}`)).toStrictEqual([
      'tekton.dev/v1 Task ml/modelcar-build',
      'tekton.dev/v1 TaskRun ml/granite-build-<digest>',
      'tekton.dev/v1 TaskRun ml/llama-build-<digest>',
      'tekton.dev/v1 TaskRun ml/mobilenet-build-<digest>',
    ]);
    // The build of the files of a hub repository: their record, the mirror, the token Secret as a workspace.
    expect(run('llama').spec.params.map((p: any) => p.name)).toStrictEqual(['config', 'model', 'image', 'lock', 'hub-endpoint']);
    expect(run('llama').spec.workspaces.map((w: any) => w.name)).toStrictEqual(['build', 'registry-credentials', 'hub-token']);
  });

  test('GIVEN the Task and the TaskRuns THEN each passes its CRD schema, every field known to it', () => {
    const validators = { Task: crdValidator('300-task.yaml'), TaskRun: crdValidator('300-taskrun.yaml') } as Record<string, ReturnType<typeof crdValidator>>;
    for (const o of objects) {
      const validate = validators[o.kind];
      expect({ name: o.metadata.name, valid: validate(o), errors: validate.errors ?? null }).toStrictEqual({ name: o.metadata.name, valid: true, errors: null });
    }
  });

  test('GIVEN a misspelled field THEN the schema refuses it (the API server would drop it)', () => {
    const validate = crdValidator('300-task.yaml');
    const bad = task();
    bad.spec.steps[0].scirpt = bad.spec.steps[0].script;
    expect(validate(bad)).toBe(false);
    expect(validate.errors!.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)).toContain('/spec/steps/0 must NOT have additional properties {"additionalProperty":"scirpt"}');
  });
});

describe("the Tekton objects against Tekton v1.15.0's webhook and reconciler rules", () => {
  test('GIVEN the objects synth writes THEN no rule is broken', () => {
    expect(tektonProblems(objects)).toStrictEqual([]);
  });

  test('variables are found as Tekton finds them (substitution.ExtractVariablesFromString)', () => {
    expect(referencedVariables('$(params.a) $(params["b.c"]) $(params[\'d\']) $(params.e.key) $(params.f[*]) $(results.X.path)', 'params')).toStrictEqual(['a', 'b.c', 'd', 'e', 'f']);
    expect(referencedVariables('$(workspaces.build.path)', 'workspaces')).toStrictEqual(['build']);
  });

  test.each([
    ['two steps of one name (StepList.Validate)', (t: any) => (t.spec.steps[1].name = 'prepare'), ['spec.steps[1].name: expected exactly one, got both']],
    ['a step name that is not a DNS label (Step.Validate)', (t: any) => (t.spec.steps[0].name = 'Prepare_Files'), ['spec.steps[0].name: invalid value "Prepare_Files"']],
    ['a step with a script and a command (Step.Validate)', (t: any) => (t.spec.steps[0].command = ['sh']), ['spec.steps[0].script: script cannot be used with command']],
    ['no image on the step or its template (Step.Validate)', (t: any) => delete t.spec.stepTemplate.image, ['spec.steps[0].Image: missing field(s)', 'spec.steps[1].Image: missing field(s)', 'spec.steps[2].Image: missing field(s)']],
    ['an undeclared param in an env value (ValidateUsageOfDeclaredParameters)', (t: any) => (t.spec.steps[1].env[0].value = '$(params.modle)'), ['spec.steps[1].env[MODEL]: non-existent variable in "$(params.modle)"']],
    ['an undeclared workspace (ApplyWorkspaces leaves it as written)', (t: any) => (t.spec.steps[0].env[2].value = '$(workspaces.data.path)'), ['spec.steps[0].env[WORKSPACE]: non-existent variable in "$(workspaces.data.path)"']],
    ['an undeclared result (validateTaskResultsVariables)', (t: any) => (t.spec.steps[2].script += 'echo > $(results.DIGEST.path)\n'), [expect.stringMatching(/^spec\.steps\[2\]\.script: non-existent variable in "#!\/bin\/sh/)]],
    ['two params of one name (ValidateNoDuplicateNames)', (t: any) => t.spec.params.push({ ...t.spec.params[0] }), ['spec.params[config]: parameter appears more than once']],
    ['a param name Tekton cannot substitute (ValidateNameFormat)', (t: any) => (t.spec.params[3].name = '3-tls'), ['spec.params: The format of following array and string variable names is invalid: [3-tls]', 'spec.steps[2].env[TLS_VERIFY]: non-existent variable in "$(params.tls-verify)"']],
    ['a default of another type (ParamSpec.ValidateType)', (t: any) => (t.spec.params[3].default = ['true']), ['spec.params.tls-verify.type: "string" type does not match default value\'s type: "array"']],
    ['a result name with a slash (TaskResult.Validate)', (t: any) => (t.spec.results[0].name = 'IMAGE/URL'), ['spec.results[0].name: invalid key name "IMAGE/URL"', 'spec.steps[2].env[IMAGE_URL_FILE]: non-existent variable in "$(results.IMAGE_URL.path)"']],
    ['two workspaces at one mount path (validateDeclaredWorkspaces)', (t: any) => (t.spec.workspaces[1].mountPath = '/workspace/build'), ['spec.workspaces[1].mountpath: workspace mount path "/workspace/build" must be unique']],
    ['a name of 64 characters (validate.ObjectMetadata)', (t: any) => (t.metadata.name = 'b'.repeat(64)), ['metadata.name: Invalid resource name: length must be no more than 63 characters']],
  ])('GIVEN a Task with %s THEN the rule says so', (_what, change, expected) => {
    const bad = task();
    change(bad);
    expect(taskProblems(bad).map((p) => `${p.path}: ${p.message}`)).toStrictEqual(expected);
  });

  test.each([
    ['both taskRef and taskSpec (TaskRunSpec.Validate)', (r: any) => (r.spec.taskSpec = { steps: [{ name: 'x', image: 'x', script: 'x' }] }), ['spec.taskRef: expected exactly one, got both: taskRef, taskSpec']],
    ['a taskRef without a name (Ref.Validate)', (r: any) => delete r.spec.taskRef.name, ['spec.taskRef.name: missing field(s)']],
    ['a param given twice, in another case (ValidateParameters)', (r: any) => r.spec.params.push({ name: 'Model', value: 'x' }), ['spec.params[Model].name: expected exactly one, got both']],
    ['a workspace with two volume sources (WorkspaceBinding.Validate)', (r: any) => (r.spec.workspaces[0].emptyDir = {}), ['spec.workspaces[0]: expected exactly one, got both: persistentvolumeclaim, volumeclaimtemplate, emptydir, configmap, secret, projected, csi']],
    ['a Secret workspace without its name (WorkspaceBinding.Validate)', (r: any) => delete r.spec.workspaces[1].secret.secretName, ['spec.workspaces[1].secret.secretName: missing field(s)']],
    ['a timeout that is no duration (TaskRunSpec.Validate)', (r: any) => (r.spec.timeout = '3 hours'), ['spec.timeout: invalid value: 3 hours should be >= 0']],
  ])('GIVEN a TaskRun with %s THEN the rule says so', (_what, change, expected) => {
    const bad = run();
    change(bad);
    expect(taskRunProblems(bad).map((p) => `${p.path}: ${p.message}`)).toStrictEqual(expected);
  });

  test.each([
    ['without a param the Task needs (validateParams)', (r: any) => (r.spec.params = r.spec.params.filter((p: any) => p.name !== 'image')), ['invalid input params for task modelcar-build: missing values for these params which have no default values: [image]']],
    ['without the build workspace (ValidateBindings)', (r: any) => r.spec.workspaces.shift(), ['declared workspace "build" is required but has not been bound']],
    ['binding a workspace the Task does not declare (ValidateBindings)', (r: any) => r.spec.workspaces.push({ name: 'cache', emptyDir: {} }), ['workspace binding "cache" does not match any declared workspace']],
  ])('GIVEN a TaskRun %s THEN the reconciler would refuse it', (_what, change, expected) => {
    const bad = run();
    change(bad);
    expect(runAgainstTaskProblems(bad, task())).toStrictEqual(expected);
  });

  test('GIVEN a TaskRun whose Task is not among the objects THEN that is a problem', () => {
    expect(tektonProblems([run('granite')])).toStrictEqual([`TaskRun ml/${run('granite').metadata.name}: spec.taskRef.name: Task "modelcar-build" is not among the objects of namespace ml`]);
  });

  test('GIVEN synth about to write a TaskRun that breaks a rule THEN nothing is written, and the problem is named', () => {
    const bad = run();
    bad.spec.workspaces.shift();
    const files = [task(), bad].map((o) => ({ path: `builds/ml/${o.kind.toLowerCase()}-${o.metadata.name}.yaml`, content: YAML.stringify(o), data: o }));
    expect(() => validateOutput(files, 'dist')).toThrow(OutputValidationError);
    expect(() => validateOutput(files, 'dist')).toThrow(
      [
        "the synthesized objects do not pass the KServe / Kubernetes schemas, KServe's admission rules or Tekton's checks:",
        `dist: TaskRun ml/${bad.metadata.name}: declared workspace "build" is required but has not been bound`,
        '1 problem found; nothing was written.',
      ].join('\n'),
    );
  });
});
