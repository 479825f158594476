/**
 * Where a model server expects model files under `/models` in the model image.
 * KServe mounts the image's `/models` at `/mnt/models` in the server container.
 */
export interface ModelLayout {
  /** Short name, used in docs and errors. */
  readonly name: string;
  /** Folder under `models/` that the model files go into ('' for the top). */
  readonly directory: string;
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
} as const;

/** The path of a model file inside the build context, e.g. `models/1/model.onnx`. */
export function modelFilePath(layout: ModelLayout, fileName: string): string {
  return layout.directory ? `models/${layout.directory}/${fileName}` : `models/${fileName}`;
}
