/**
 * A cdk8s app in TypeScript that uses modelcar as a library. One chart mixes modelcar's constructs (a Namespace,
 * an OciModel on the built-in kserve-ovms runtime, a reference to a pull secret) with a cdk8s-plus-28 ConfigMap
 * that tells client apps which model to call. modelcar's writer synthesizes it into dist/, in the layout of
 * `modelcar synth`: the manifests, and the model image's build context.
 *
 * In this repository, `npm run examples` runs it from this folder. In a project of your own, with modelcar
 * installed: `npx ts-node main.ts` (or compile it and run it with node), or let `npx cdk8s synth` run it (cdk8s.yaml:
 * `app: npx ts-node main.ts` and `output: cdk8s.out`). The pipeline from TypeScript goes on from there:
 *
 *   await stage({ scope: app, outdir: 'dist', source: 'main.ts' });                // model files into the build context
 *   await build({ scope: app, outdir: 'dist', source: 'main.ts', push: true });    // digests into modelcar.lock.yaml
 *   // and on the next run, ImageLock.fromFile('modelcar.lock.yaml') pins storageUri to them.
 */
import { App, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IImageLock, ImageLock, ModelImageFile, Namespace, OciModel, PullSecret, cdk8sOutput, synthesize, writeCdk8sManifests } from 'modelcar';

/** What file headers name as the source. */
export const SOURCE = 'main.ts';

/** The namespace of the chart's objects. */
export const NAMESPACE = 'vision';

/** Properties of {@link VisionModels}: where the model comes from and goes to. */
export interface VisionModelsProps extends ChartProps {
  /** The model image to build, push and serve. @default registry.example.com/vision/mobilenet:v2-7 */
  readonly image?: string;
  /** The model files. @default - MobileNet v2-7 (ONNX) from the ONNX model zoo */
  readonly files?: readonly ModelImageFile[];
  /** The base of the model image. @default - modelcar's (ubi8/ubi-micro) */
  readonly baseImage?: string;
  /** The digests the model image was pushed as, to pin storageUri to. @default - none: storageUri has the tag */
  readonly lock?: IImageLock;
}

/**
 * MobileNet served by OpenVINO Model Server in the namespace `vision`, from a private registry, and the ConfigMap
 * its clients read.
 */
export class VisionModels extends Chart {
  /** The model: its InferenceService, ServingRuntime, token objects and image build context. */
  public readonly model: OciModel;

  constructor(scope: Construct, id: string, props: VisionModelsProps = {}) {
    super(scope, id, { namespace: NAMESPACE, disableResourceNameHashes: true, ...props });
    new Namespace(this, 'Namespace', { name: NAMESPACE, displayName: 'Vision', description: 'Image classification models' });
    this.model = new OciModel(this, 'mobilenet', {
      name: 'mobilenet',
      runtime: 'kserve-ovms',
      modelFormat: { name: 'onnx' }, // onnx is not auto-selected by kserve-ovms: the InferenceService names the runtime
      image: props.image ?? 'registry.example.com/vision/mobilenet:v2-7',
      files: props.files ?? [{ source: 'https://github.com/onnx/models/raw/main/validated/vision/classification/mobilenet/model/mobilenetv2-7.onnx' }],
      baseImage: props.baseImage,
      // The Secret exists in the namespace (`modelcar pull-secret`, an ExternalSecret, ...): only its name is here.
      pullSecret: PullSecret.fromSecretName('registry-pull'),
      lock: props.lock,
    });
    // cdk8s-plus-28, beside modelcar's constructs: what a client needs to call the model, taken from the model.
    // OpenVINO Model Server serves it under the InferenceService's name: kserve-ovms passes --model_name={{.Name}},
    // which KServe fills from the InferenceService's metadata (kserve/kserve ReplacePlaceholders,
    // pkg/controller/v1beta1/inferenceservice/utils/utils.go), and the runtime speaks protocol v2, whose inference
    // path is /v2/models/<name>/infer (PredictPath, pkg/constants/constants.go).
    new kplus.ConfigMap(this, 'client', {
      metadata: { name: 'mobilenet-client' },
      data: {
        INFERENCE_SERVICE: this.model.inferenceService.name,
        INFER_PATH: `/v2/models/${this.model.inferenceService.name}/infer`,
        ...(this.model.auth ? { TOKEN_SERVICE_ACCOUNT: this.model.auth.serviceAccountName } : {}),
      },
    });
  }
}

/**
 * Synthesizes the app with modelcar's writer into dist/ (which keeps staged model files and files you add), or into
 * `-o DIR` when `cdk8s synth -o DIR` runs it. storageUri is pinned to the digests in modelcar.lock.yaml, if any.
 */
export function main(): void {
  const app = new App();
  const lock = ImageLock.fromFile('modelcar.lock.yaml');
  new VisionModels(app, 'vision', { lock });
  const target = cdk8sOutput('dist');
  const result = synthesize(app, { outdir: target.outdir, source: SOURCE });
  if (target.cdk8sOutdir) writeCdk8sManifests(target.cdk8sOutdir, result, SOURCE, { command: null });
  for (const warning of [...target.warnings, ...lock.stale]) process.stderr.write(`warning: ${warning}\n`);
  const { added, changed, removed } = result.changes;
  process.stderr.write(`synthesized ${SOURCE} into ${target.outdir}/: ${result.objects.length} objects, ${result.images.length} image build contexts; files ${added.length} added, ${changed.length} changed, ${removed.length} removed\n`);
}

if (require.main === module) main();
