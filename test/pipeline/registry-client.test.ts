/**
 * Which credentials `modelcar pin` reads a registry with: those the image writer would push with, for the same
 * image reference (the registry and repository of repositoryAddress, then findCredentials).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseImageReference } from '../../src/core/image-ref';
import { repositoryAddress } from '../../src/pipeline/image/registry';
import { registryCredentials } from '../../src/pipeline/registry-client';
import { tempDir } from '../support/temp';

const dir = tempDir('modelcar-registry-client-');
const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });

test('GIVEN an image on Docker Hub named index.docker.io/... THEN the docker.io credentials, as podman and the image writer take them', () => {
  const file = path.join(dir, 'auth.json');
  fs.writeFileSync(file, JSON.stringify({ auths: { 'docker.io/library': auth('official', 'a'), 'docker.io/team': auth('team', 'b') } }));
  const env = { HOME: dir };
  expect(registryCredentials(repositoryAddress(parseImageReference('index.docker.io/team/model:1')), file, env)).toStrictEqual({ credentials: { username: 'team', password: 'b' }, from: `--authfile ${file} (docker.io/team)` });
  expect(registryCredentials(repositoryAddress(parseImageReference('busybox:1')), file, env)).toStrictEqual({ credentials: { username: 'official', password: 'a' }, from: `--authfile ${file} (docker.io/library)` });
});
