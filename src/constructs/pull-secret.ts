import { Construct } from 'constructs';
import { KubeSecret } from '../../imports/k8s';
import { DockerRegistryCredentials, dockerConfigJson } from '../core/docker-config';
import { assertName } from '../core/names';

/** A Secret of type kubernetes.io/dockerconfigjson that pods use to pull images from a private registry. */
export interface IPullSecret {
  /** Name of the Secret, in the namespace of the pods that use it. */
  readonly name: string;
}

/** Properties of a {@link PullSecret} created from credentials. */
export interface PullSecretProps {
  /** Name of the Secret. */
  readonly name: string;
  /**
   * Namespace of the Secret: pods can only use pull secrets of their own namespace.
   * @default - the namespace of the enclosing Chart
   */
  readonly namespace?: string;
  /** The registry credentials. They are never written to the committed output (see the writer). */
  readonly credentials: DockerRegistryCredentials;
}

/**
 * An image pull secret. Prefer {@link PullSecret.fromSecretName}: a reference to a Secret that already
 * exists, so no credentials pass through modelcar. A PullSecret created from credentials holds the same
 * `.dockerconfigjson` as `kubectl create secret docker-registry`, byte for byte; modelcar writes it only
 * outside the committed output.
 *
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/
 */
export class PullSecret extends Construct implements IPullSecret {
  /** A pull secret that already exists in the cluster; nothing is emitted for it. */
  public static fromSecretName(name: string): IPullSecret {
    assertName('subdomain', 'PullSecret.fromSecretName name', name);
    return { name };
  }

  /** True for constructs whose objects carry credentials and so must never be written to dist/. */
  public static holdsCredentials(construct: Construct): boolean {
    return construct instanceof PullSecret;
  }

  public readonly name: string;
  /** The generated API object. */
  public readonly apiObject: KubeSecret;

  constructor(scope: Construct, id: string, props: PullSecretProps) {
    super(scope, id);
    assertName('subdomain', 'PullSecret name', props.name);
    if (props.namespace !== undefined) assertName('label', 'PullSecret namespace', props.namespace);
    this.name = props.name;
    const json = dockerConfigJson(props.credentials);
    this.apiObject = new KubeSecret(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(json, 'utf8').toString('base64') },
    });
  }
}
