/** The plan of a model: what the config resolves for it before its OciModel (and its in-cluster build) is made. */
import { ModelLayout } from '../../core/model-layout';
import { ModelConfig } from '../types.generated';
import { FieldPath } from './diagnostics';
import { ConfigRuntime } from './runtimes';

/** A model of the config whose namespace, runtime and layout are resolved: what its OciModel is made from. */
export interface ModelPlan {
  readonly model: ModelConfig;
  /** Its index in `models`. */
  readonly index: number;
  readonly namespace: string;
  /** The field that gave the namespace: the model's own, or `defaults.namespace`. */
  readonly namespaceField: FieldPath;
  readonly runtime: ConfigRuntime;
  readonly layout: ModelLayout;
}
