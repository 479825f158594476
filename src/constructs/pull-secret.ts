import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { KubeSecretProps } from '../../imports/k8s';
import { DockerRegistryCredentials, dockerConfigJson } from '../core/docker-config';
import { PropChecker, PropError, brand, hasBrand } from '../core/errors';
import { nameProblem } from '../core/names';

const PULL_SECRET = Symbol.for('modelcar.PullSecret');

/**
 * Set on the root of a construct tree while a renderer that writes credentials only outside the committed output
 * (modelcar's `synthesize` with `secretsDir`) checks and renders it. A global symbol, so that it works across
 * copies of the package.
 */
const SECRETS_KEPT_OUT = Symbol.for('modelcar.secretsKeptOut');

/** A Secret of type kubernetes.io/dockerconfigjson that pods use to pull images from a private registry. */
export interface IPullSecret {
  /** Name of the Secret, in the namespace of the pods that use it. */
  readonly name: string;
  /** The namespace of the Secret, when modelcar makes it; undefined for a reference (it is the pods'). */
  readonly namespace?: string;
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
  /** The registry credentials. They are never written to the committed output (see {@link PullSecret}). */
  readonly credentials: DockerRegistryCredentials;
}

/**
 * An image pull secret. Prefer {@link PullSecret.fromSecretName}: a reference to a Secret that already
 * exists, so no credentials pass through modelcar. A PullSecret created from credentials holds the same
 * `.dockerconfigjson` as `kubectl create secret docker-registry`, byte for byte.
 *
 * Credentials never belong in the synthesized output (it is committed, and Argo CD applies it): a tree that holds
 * a PullSecret made from credentials fails cdk8s's `app.synth()` (a validation of this construct), before any file
 * is written. modelcar's `synthesize(scope, { secretsDir })` writes it only to `secretsDir`, outside the output.
 *
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/
 */
export class PullSecret extends Construct implements IPullSecret {
  /** Whether `x` is a PullSecret made from credentials (of any copy of modelcar). */
  public static isPullSecret(x: unknown): x is PullSecret {
    return hasBrand(x, PULL_SECRET);
  }

  /** A pull secret that already exists in the cluster; nothing is emitted for it. */
  public static fromSecretName(name: string): IPullSecret {
    const problem = nameProblem('subdomain', name, 'Secret name');
    if (problem) throw new PropError({ construct: 'PullSecret.fromSecretName', path: ['name'], value: name, message: problem });
    return { name };
  }

  /** True for constructs whose objects carry credentials and so must never be written to the committed output. */
  public static holdsCredentials(construct: IConstruct): boolean {
    return PullSecret.isPullSecret(construct);
  }

  /**
   * Runs `render` with the tree's credentials allowed past their validation: for a renderer that writes them only
   * outside the committed output. @internal
   */
  public static keepingSecretsOut<T>(scope: IConstruct, render: () => T): T {
    const root = scope.node.root as unknown as Record<symbol, boolean>;
    const before = root[SECRETS_KEPT_OUT];
    root[SECRETS_KEPT_OUT] = true;
    try {
      return render();
    } finally {
      if (before === undefined) delete root[SECRETS_KEPT_OUT];
      else root[SECRETS_KEPT_OUT] = before;
    }
  }

  public readonly name: string;
  /** The namespace of the Secret (its own, or the Chart's); undefined when neither says one. */
  public readonly namespace?: string;
  /** The generated API object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: PullSecretProps) {
    super(scope, id);
    const check = new PropChecker('PullSecret');
    const nameWrong = nameProblem('subdomain', props.name, 'Secret name');
    if (nameWrong) check.add('name', props.name, nameWrong);
    const namespaceWrong = props.namespace === undefined ? undefined : nameProblem('label', props.namespace, 'namespace name');
    if (namespaceWrong) check.add('namespace', props.namespace, namespaceWrong);
    const json = check.run(() => dockerConfigJson(props.credentials));
    check.throwIfAny(this);
    brand(this, PULL_SECRET);
    this.name = props.name;
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    const secret: KubeSecretProps = {
      metadata: { name: props.name, namespace: props.namespace },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(json!, 'utf8').toString('base64') },
    };
    this.apiObject = new ApiObject(this, 'Resource', { apiVersion: 'v1', kind: 'Secret', ...secret });
    this.node.addValidation({
      validate: () => ((this.node.root as unknown as Record<symbol, boolean>)[SECRETS_KEPT_OUT] ? [] : [credentialsInOutput(this.name)]),
    });
  }
}

/** Why a tree with a PullSecret made from credentials is not synthesized, and the safe ways to get the Secret. */
function credentialsInOutput(name: string): string {
  return (
    `PullSecret ${name} holds registry credentials, which must not be written into the synthesized output (it is committed, ` +
    `and Argo CD applies it). Use one of the safe ways instead: reference a Secret that exists with ` +
    `PullSecret.fromSecretName('${name}'); create it in the cluster with \`modelcar pull-secret\`; let the External Secrets ` +
    `Operator make it from a secret store with ExternalPullSecret; or commit a SealedSecret (\`modelcar pull-secret --seal-with CERT\`). ` +
    `modelcar's synthesize(scope, { outdir, source, secretsDir }) writes it only to secretsDir, outside the output`
  );
}
