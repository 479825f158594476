/**
 * Which credentials `modelcar pin` reads a registry with: those the image writer would push with, for the same
 * image reference (the registry and repository of repositoryAddress, then findCredentials), read from the
 * --authfile in memory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseImageReference } from '../../src/core/image-ref';
import { repositoryAddress } from '../../src/pipeline/image/registry';
import { readAuthFile } from '../../src/pipeline/registry-auth';
import { registryCredentials } from '../../src/pipeline/registry-client';
import { tempDir } from '../support/temp';

const dir = tempDir('modelcar-registry-client-');
const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });

test('GIVEN an image on Docker Hub named index.docker.io/... THEN the docker.io credentials, as podman and the image writer take them', () => {
  const file = path.join(dir, 'auth.json');
  fs.writeFileSync(file, JSON.stringify({ auths: { 'docker.io/library': auth('official', 'a'), 'docker.io/team': auth('team', 'b') } }));
  const env = { HOME: dir };
  const authfile = { file, config: readAuthFile(file) };
  expect(registryCredentials(repositoryAddress(parseImageReference('index.docker.io/team/model:1')), authfile, env)).toStrictEqual({ credentials: { username: 'team', password: 'b' }, from: `--authfile ${file} (docker.io/team)` });
  expect(registryCredentials(repositoryAddress(parseImageReference('busybox:1')), authfile, env)).toStrictEqual({ credentials: { username: 'official', password: 'a' }, from: `--authfile ${file} (docker.io/library)` });
});

test('GIVEN a pull secret as --authfile THEN the credentials of its .dockerconfigjson, said to come from the file given', () => {
  const secret = path.join(dir, 'pull-secret.yaml');
  const config = JSON.stringify({ auths: { 'quay.io': { ...auth('robot', 'x'), email: '' } } });
  fs.writeFileSync(secret, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: push\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${Buffer.from(config).toString('base64')}\n`);
  const env = { HOME: dir };
  const found = registryCredentials(repositoryAddress(parseImageReference('quay.io/team/model:1')), { file: secret, config: readAuthFile(secret) }, env);
  expect(found).toStrictEqual({ credentials: { username: 'robot', password: 'x' }, from: `--authfile ${secret} (quay.io)` });
});
