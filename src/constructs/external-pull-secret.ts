import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULT_DOCKER_SERVER, goJsonString } from '../core/docker-config';
import { PropChecker, brand, hasBrand } from '../core/errors';
import { nameProblem } from '../core/names';
import { IPullSecret } from './pull-secret';

const EXTERNAL_PULL_SECRET = Symbol.for('modelcar.ExternalPullSecret');

/** The ExternalSecret API modelcar emits by default (External Secrets Operator 0.16 and later). */
export const EXTERNAL_SECRETS_API = 'external-secrets.io/v1';

/** Properties of an {@link ExternalPullSecret}. */
export interface ExternalPullSecretProps {
  /** Name of the pull Secret the operator creates (and of the ExternalSecret). */
  readonly name: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /** The registry, as in `kubectl create secret docker-registry --docker-server`. @default DEFAULT_DOCKER_SERVER */
  readonly server?: string;
  /** The SecretStore or ClusterSecretStore to read from. */
  readonly store: string;
  /** @default 'SecretStore' */
  readonly storeKind?: 'SecretStore' | 'ClusterSecretStore';
  /** The key (path) of the credentials in the store. */
  readonly key: string;
  /** @default 'username' */
  readonly usernameProperty?: string;
  /** @default 'password' */
  readonly passwordProperty?: string;
  /** How often the operator re-reads the store. @default '1h' */
  readonly refreshInterval?: string;
  /** @default EXTERNAL_SECRETS_API; `external-secrets.io/v1beta1` for operators before 0.16 */
  readonly apiVersion?: string;
}

/**
 * A pull secret that the External Secrets Operator makes from a secret store: the committed output holds
 * only where the credentials are, never the credentials. The operator renders the same `.dockerconfigjson`
 * as `kubectl create secret docker-registry` (key order, Go's JSON escaping through `toJson`).
 *
 * @see https://external-secrets.io/latest/guides/common-k8s-secret-types/#dockerconfigjson-example
 */
export class ExternalPullSecret extends Construct implements IPullSecret {
  /** Whether `x` is an ExternalPullSecret (of any copy of modelcar). */
  public static isExternalPullSecret(x: unknown): x is ExternalPullSecret {
    return hasBrand(x, EXTERNAL_PULL_SECRET);
  }

  public readonly name: string;
  /** The namespace of the pull Secret (its own, or the Chart's); undefined when neither says one. */
  public readonly namespace?: string;
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ExternalPullSecretProps) {
    super(scope, id);
    const check = new PropChecker('ExternalPullSecret');
    const nameWrong = nameProblem('subdomain', props.name, 'Secret name');
    if (nameWrong) check.add('name', props.name, nameWrong);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    const namespaceWrong = namespace === undefined ? undefined : nameProblem('label', namespace, 'namespace name');
    if (namespaceWrong) check.add('namespace', namespace, namespaceWrong);
    if (!props.store) check.add('store', props.store, 'must name a SecretStore or ClusterSecretStore');
    if (!props.key) check.add('key', props.key, 'must name the credentials in the store');
    const server = props.server ?? DEFAULT_DOCKER_SERVER;
    if (server.includes('{{') || server.includes('}}')) check.add('server', server, `"${server}" must not contain "{{" or "}}"`);
    check.throwIfAny(this);
    brand(this, EXTERNAL_PULL_SECRET);
    this.name = props.name;
    this.namespace = namespace;
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: props.apiVersion ?? EXTERNAL_SECRETS_API,
      kind: 'ExternalSecret',
      metadata: { name: props.name, namespace },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: { name: props.store, kind: props.storeKind ?? 'SecretStore' },
        target: {
          name: props.name,
          creationPolicy: 'Owner',
          template: { type: 'kubernetes.io/dockerconfigjson', engineVersion: 'v2', data: { '.dockerconfigjson': dockerConfigTemplate(server) } },
        },
        data: [
          { secretKey: 'username', remoteRef: { key: props.key, property: props.usernameProperty ?? 'username' } },
          { secretKey: 'password', remoteRef: { key: props.key, property: props.passwordProperty ?? 'password' } },
        ],
      },
    });
  }
}

/**
 * The operator's template for `.dockerconfigjson`: kubectl's layout (`username`, `password`, `auth`), each
 * value through `toJson`, which is Go's encoding/json, the same escaping kubectl uses.
 */
export function dockerConfigTemplate(server: string): string {
  return (
    `{"auths":{${goJsonString(server)}:{"username":{{ .username | toJson }},"password":{{ .password | toJson }},` +
    `"auth":{{ printf "%s:%s" .username .password | b64enc | toJson }}}}}`
  );
}
