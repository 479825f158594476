import { X509Certificate, constants, createCipheriv, publicEncrypt, randomBytes, KeyObject } from 'crypto';

/**
 * Sealing of Secrets for Bitnami Sealed Secrets, offline, from the controller's public certificate (what
 * `kubeseal --cert cert.pem` does): only the controller in the cluster, which holds the private key, can
 * decrypt the result, so a SealedSecret is safe to commit.
 *
 * The scheme is sealed-secrets' `HybridEncrypt` (pkg/crypto/crypto.go): a random 32-byte session key encrypts
 * the value with AES-256-GCM (zero nonce, the key is used once); RSA-OAEP with SHA-256 encrypts the session key,
 * with a label that binds the ciphertext to the Secret's namespace and name (`EncryptionLabel`, by scope).
 * The output is `uint16 big-endian length of the RSA ciphertext || RSA ciphertext || AES-GCM ciphertext+tag`.
 *
 * @see https://github.com/bitnami-labs/sealed-secrets/blob/main/docs/developer/crypto.md
 */

/** Where a sealed value may be unsealed: exactly this name and namespace (default), any name in the namespace, anywhere. */
export type SealingScope = 'strict' | 'namespace-wide' | 'cluster-wide';

/** The RSA-OAEP label for a scope, as sealed-secrets' `EncryptionLabel`. */
export function encryptionLabel(namespace: string, name: string, scope: SealingScope = 'strict'): Buffer {
  switch (scope) {
    case 'cluster-wide':
      return Buffer.alloc(0);
    case 'namespace-wide':
      return Buffer.from(namespace, 'utf8');
    case 'strict':
      return Buffer.from(`${namespace}/${name}`, 'utf8');
  }
}

/** Encrypts one value as sealed-secrets' `HybridEncrypt`. */
export function hybridEncrypt(publicKey: KeyObject, plaintext: Buffer, label: Buffer): Buffer {
  const sessionKey = randomBytes(32);
  const rsa = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label }, sessionKey);
  const cipher = createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(rsa.length);
  return Buffer.concat([length, rsa, sealed]);
}

/** The RSA public key of a sealed-secrets controller certificate (PEM), or an Error that says what is wrong. */
export function sealingKey(certificatePem: string, source: string): KeyObject {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    throw new Error(`${source}: not a PEM certificate; fetch the controller's with \`kubeseal --fetch-cert > cert.pem\``);
  }
  if (cert.publicKey.asymmetricKeyType !== 'rsa') {
    throw new Error(`${source}: the certificate's key is ${cert.publicKey.asymmetricKeyType}, sealed-secrets uses RSA`);
  }
  return cert.publicKey;
}

/** Properties of {@link sealedSecret}. */
export interface SealedSecretProps {
  readonly name: string;
  readonly namespace: string;
  /** The Secret's type, e.g. `kubernetes.io/dockerconfigjson`. */
  readonly type: string;
  /** The Secret's data, in the clear: each value is sealed on its own. */
  readonly data: Readonly<Record<string, string | Buffer>>;
  /** The controller's public key (see {@link sealingKey}). */
  readonly key: KeyObject;
  /** @default 'strict' */
  readonly scope?: SealingScope;
}

/** A SealedSecret (bitnami.com/v1alpha1) as `kubeseal` writes it, with every value sealed for its scope. */
export function sealedSecret(props: SealedSecretProps): Record<string, unknown> {
  const scope = props.scope ?? 'strict';
  const label = encryptionLabel(props.namespace, props.name, scope);
  const encryptedData: Record<string, string> = {};
  for (const key of Object.keys(props.data).sort()) {
    const value = props.data[key];
    encryptedData[key] = hybridEncrypt(props.key, typeof value === 'string' ? Buffer.from(value, 'utf8') : value, label).toString('base64');
  }
  const annotations =
    scope === 'strict' ? undefined : { [scope === 'cluster-wide' ? 'sealedsecrets.bitnami.com/cluster-wide' : 'sealedsecrets.bitnami.com/namespace-wide']: 'true' };
  return {
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    metadata: { ...(annotations ? { annotations } : {}), name: props.name, namespace: props.namespace },
    spec: {
      encryptedData,
      template: { metadata: { ...(annotations ? { annotations } : {}), name: props.name, namespace: props.namespace }, type: props.type },
    },
  };
}
