/**
 * Where a model server expects model files under `/models` in the model image.
 * KServe mounts the image's `/models` at `/mnt/models` in the server container.
 */
export interface ModelLayout {
  /** Short name, used in docs, errors and the config (`layout: flat`). */
  readonly name: string;
  /** Folder under `models/` that the model files go into ('' for the top). */
  readonly directory: string;
  /**
   * File paths that stay at the top of `models/` instead of going into {@link directory}, e.g. caikit's
   * `config.yml` next to its `artifacts/` folder.
   * @default - none: every file goes into directory
   */
  readonly topLevelFiles?: readonly string[];
}

/** The layouts model servers expect. */
export const ModelLayouts = {
  /**
   * OpenVINO Model Server: numbered version folders. With an OCI image the version is fixed, so a single
   * artificial version `1` is used: `models/1/<file>`.
   */
  OVMS: { name: 'ovms', directory: '1' } as ModelLayout,
  /** Files directly under `models/` (vLLM, TGIS, most Hugging Face servers). */
  FLAT: { name: 'flat', directory: '' } as ModelLayout,
  /**
   * caikit (caikit-tgis, caikit-standalone): the caikit `config.yml` at the top, every other file under
   * `artifacts/`, where TGIS reads them (`--model-name=/mnt/models/artifacts/`): `models/config.yml`,
   * `models/artifacts/<file>`.
   */
  CAIKIT: { name: 'caikit', directory: 'artifacts', topLevelFiles: ['config.yml'] } as ModelLayout,
} as const;

/** The names of the layouts in {@link ModelLayouts}, as the config spells them. */
export const MODEL_LAYOUT_NAMES: readonly string[] = Object.values(ModelLayouts).map((l) => l.name);

/** The layout of that name (`ovms`, `flat`, `caikit`), or undefined. */
export function modelLayoutByName(name: string): ModelLayout | undefined {
  return Object.values(ModelLayouts).find((l) => l.name === name);
}

/** The path of a model file inside the build context, e.g. `models/1/model.onnx`. */
export function modelFilePath(layout: ModelLayout, fileName: string): string {
  const top = !layout.directory || (layout.topLevelFiles ?? []).includes(fileName);
  return top ? `models/${fileName}` : `models/${layout.directory}/${fileName}`;
}
