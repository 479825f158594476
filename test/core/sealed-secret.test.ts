import { execFileSync } from 'child_process';
import { createDecipheriv } from 'crypto';
import * as fs from 'fs';
import { dockerConfigJson } from '../../src/core/docker-config';
import { encryptionLabel, sealedSecret, sealingKey } from '../../src/core/sealed-secret';
import { requireTool } from '../support/tools';
import { tempDir } from '../support/temp';

/** A throwaway sealed-secrets controller key pair, made by openssl. */
function controllerKeys(): { dir: string; cert: string; key: string } {
  requireTool('openssl', 'apt-get install -y openssl');
  const dir = tempDir('modelcar-seal-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=sealed-secret', '-days', '1', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], {
    stdio: 'pipe',
  });
  return { dir, cert: `${dir}/cert.pem`, key: `${dir}/key.pem` };
}

/**
 * Unseals one value as the sealed-secrets controller does (HybridDecrypt), with openssl for the RSA-OAEP part:
 * an implementation independent of the one under test.
 */
function unseal(keys: { dir: string; key: string }, sealed: string, label: Buffer): Buffer {
  const data = Buffer.from(sealed, 'base64');
  const rsaLength = data.readUInt16BE(0);
  fs.writeFileSync(`${keys.dir}/session.enc`, data.subarray(2, 2 + rsaLength));
  const sessionKey = execFileSync('openssl', [
    'pkeyutl', '-decrypt', '-inkey', keys.key, '-in', `${keys.dir}/session.enc`,
    '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256',
    ...(label.length ? ['-pkeyopt', `rsa_oaep_label:${label.toString('hex')}`] : []),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const aes = data.subarray(2 + rsaLength);
  const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(aes.subarray(aes.length - 16));
  return Buffer.concat([decipher.update(aes.subarray(0, aes.length - 16)), decipher.final()]);
}

describe('SealedSecret', () => {
  const keys = controllerKeys();
  const key = sealingKey(fs.readFileSync(keys.cert, 'utf8'), keys.cert);
  const config = dockerConfigJson({ server: 'quay.io', username: 'robot', password: 'p<&>"é' });

  test('GIVEN a pull secret sealed for its namespace and name THEN the controller key unseals exactly the dockerconfigjson', () => {
    const sealed: any = sealedSecret({ name: 'quay-pull', namespace: 'ml', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': config }, key });
    expect(sealed).toStrictEqual({
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 'quay-pull', namespace: 'ml' },
      spec: {
        encryptedData: { '.dockerconfigjson': expect.any(String) },
        template: { metadata: { name: 'quay-pull', namespace: 'ml' }, type: 'kubernetes.io/dockerconfigjson' },
      },
    });
    expect(unseal(keys, sealed.spec.encryptedData['.dockerconfigjson'], Buffer.from('ml/quay-pull')).toString('utf8')).toBe(config);
  });

  test('GIVEN the strict scope THEN another name or namespace cannot unseal it (the label binds it)', () => {
    const sealed: any = sealedSecret({ name: 'quay-pull', namespace: 'ml', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': config }, key });
    expect(() => unseal(keys, sealed.spec.encryptedData['.dockerconfigjson'], Buffer.from('other/quay-pull'))).toThrow();
  });

  test('GIVEN the wider scopes THEN labels and annotations are those of kubeseal', () => {
    expect(encryptionLabel('ml', 'x', 'strict').toString()).toBe('ml/x');
    expect(encryptionLabel('ml', 'x', 'namespace-wide').toString()).toBe('ml');
    expect(encryptionLabel('ml', 'x', 'cluster-wide')).toHaveLength(0);
    const wide: any = sealedSecret({ name: 'x', namespace: 'ml', type: 'Opaque', data: { a: 'b' }, key, scope: 'cluster-wide' });
    expect(wide.metadata.annotations).toStrictEqual({ 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
    expect(unseal(keys, wide.spec.encryptedData.a, Buffer.alloc(0)).toString()).toBe('b');
    const ns: any = sealedSecret({ name: 'x', namespace: 'ml', type: 'Opaque', data: { a: 'b' }, key, scope: 'namespace-wide' });
    expect(ns.spec.template.metadata.annotations).toStrictEqual({ 'sealedsecrets.bitnami.com/namespace-wide': 'true' });
    expect(unseal(keys, ns.spec.encryptedData.a, Buffer.from('ml')).toString()).toBe('b');
  });

  test('GIVEN something that is not an RSA certificate THEN the error says what to fetch', () => {
    expect(() => sealingKey('hello', 'cert.pem')).toThrow("cert.pem: not a PEM certificate; fetch the controller's with `kubeseal --fetch-cert > cert.pem`");
  });
});
