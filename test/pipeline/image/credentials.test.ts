/**
 * Which credentials modelcar's own image writer takes from an auth file, as containers-auth.json(5) says podman
 * and buildah look them up: the most specific key first, Docker's URL forms, Docker Hub's legacy keys, the standard
 * files in order; credential helpers and identity tokens refused with a way out.
 */
import * as fs from 'fs';
import * as path from 'path';
import { findCredentials } from '../../../src/pipeline/image/credentials';
import { tempDir } from '../../support/temp';

const dir = tempDir('modelcar-credentials-');

const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });
function file(name: string, content: unknown): string {
  const full = path.join(dir, name);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, JSON.stringify(content));
  return full;
}

test('GIVEN keys for the registry, a namespace and a repository THEN the most specific one that matches', () => {
  const f = file('specific.json', {
    auths: { 'quay.io': auth('host', 'a'), 'quay.io/team': auth('team', 'b'), 'quay.io/team/model': auth('repo', 'c'), 'https://registry.example.com/': { username: 'url', password: 'd' } },
  });
  expect(findCredentials('quay.io', 'team/model', f)).toStrictEqual({ credentials: { username: 'repo', password: 'c' }, from: `${f} (quay.io/team/model)` });
  expect(findCredentials('quay.io', 'team/other', f).credentials).toStrictEqual({ username: 'team', password: 'b' });
  expect(findCredentials('quay.io', 'else/model', f).credentials).toStrictEqual({ username: 'host', password: 'a' });
  expect(findCredentials('registry.example.com', 'x', f).credentials).toStrictEqual({ username: 'url', password: 'd' });
  expect(findCredentials('ghcr.io', 'x', f)).toStrictEqual({});
  // An auth file that is a device or a FIFO is passed over, never read forever or waited on.
  expect(findCredentials('quay.io', 'team/model', '/dev/zero')).toStrictEqual({});
});

test("GIVEN Docker Hub's legacy key THEN it serves docker.io images", () => {
  const f = file('hub.json', { auths: { 'https://index.docker.io/v1/': auth('hub', 'e') } });
  expect(findCredentials('docker.io', 'library/busybox', f).credentials).toStrictEqual({ username: 'hub', password: 'e' });
});

test('GIVEN no --authfile THEN the standard files in their order, the first that has the registry', () => {
  const home = path.join(dir, 'home');
  file('home/.config/containers/auth.json', { auths: { 'other.io': auth('x', 'y') } });
  file('home/.docker/config.json', { auths: { 'quay.io': auth('docker', 'f') } });
  const env = { HOME: home, XDG_RUNTIME_DIR: path.join(dir, 'no-run') };
  expect(findCredentials('quay.io', 'team/model', undefined, env)).toStrictEqual({ credentials: { username: 'docker', password: 'f' }, from: `${path.join(home, '.docker', 'config.json')} (quay.io)` });
});

test('GIVEN a credential helper or an identity token for the registry THEN an error that says to use podman or buildah', () => {
  const helper = file('helper.json', { auths: {}, credHelpers: { 'quay.io': 'secretservice' } });
  expect(() => findCredentials('quay.io', 'team/model', helper)).toThrow(
    `${helper} keeps the credentials for quay.io in the credential helper docker-credential-secretservice, which modelcar's own image writer does not run; use --builder podman or buildah, or give an auth file with the credentials (podman login --authfile FILE)`,
  );
  const token = file('token.json', { auths: { 'quay.io': { identitytoken: 'refresh-token' } } });
  expect(() => findCredentials('quay.io', 'team/model', token)).toThrow(`${token}: quay.io has an identity token (an OAuth refresh token), which modelcar's own image writer does not use; use --builder podman or buildah`);
});

test('GIVEN a credential helper and runHelpers (modelcar pin) THEN the helper is asked for the host on its standard input; one without credentials for it, or missing, is said', () => {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  // A stand-in for docker-credential-secretservice: answers for quay.io only, as the helper protocol says.
  const helper = path.join(bin, 'docker-credential-fake');
  fs.writeFileSync(helper, '#!/bin/sh\nread host\n[ "$1" = get ] && [ "$host" = quay.io ] && printf \'{"ServerURL":"quay.io","Username":"robot","Secret":"s3cret"}\' && exit 0\necho "credentials not found in native keychain"; exit 1\n', { mode: 0o755 });
  const f = file('helpers.json', { auths: {}, credHelpers: { 'quay.io': 'fake', 'ghcr.io': 'fake', 'other.io': 'absent' } });
  const env = { PATH: `${bin}:${process.env.PATH}` };
  expect(findCredentials('quay.io', 'team/model', f, env, { runHelpers: true })).toStrictEqual({ credentials: { username: 'robot', password: 's3cret' }, from: 'docker-credential-fake (quay.io)' });
  expect(findCredentials('ghcr.io', 'team/model', f, env, { runHelpers: true })).toStrictEqual({});
  expect(() => findCredentials('other.io', 'team/model', f, env, { runHelpers: true })).toThrow('the auth file names the credential helper docker-credential-absent, which is not installed');
});
