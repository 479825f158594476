/**
 * A real registry with bearer-token auth, as quay.io, Docker Hub or GHCR do it: Debian's docker-registry
 * (distribution 2.x) configured with `auth: token`, and a token service of the test's own on 127.0.0.1 that checks
 * Basic credentials and issues RS256 JWTs for the scopes asked, signed with a key whose self-signed certificate
 * (made by openssl) is the registry's root. The token format is distribution's (registry/auth/token/token.go:
 * issuer, audience = service, an `access` list, the certificate chain in the header's `x5c`).
 */
import { execFileSync } from 'child_process';
import { createPrivateKey, randomBytes, sign } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { startDockerRegistry } from './registry';
import { requireTool } from './tools';

export interface TokenRegistry {
  /** `127.0.0.1:<port>` of the registry. */
  readonly host: string;
  /** The scopes the token service was asked for, request by request. */
  readonly scopes: string[][];
  log(): string;
  stop(): Promise<void>;
}

const SERVICE = 'modelcar-test-registry';
const ISSUER = 'modelcar-test-token-service';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Starts the token service and the registry; the registry answers 401 with `Bearer realm=...` until given a token. */
export async function startTokenRegistry(options: { dir: string; username: string; password: string }): Promise<TokenRegistry> {
  const openssl = requireTool('openssl', 'apt-get install -y openssl');
  fs.mkdirSync(options.dir, { recursive: true });
  const key = path.join(options.dir, 'token.key');
  const cert = path.join(options.dir, 'token.crt');
  execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=modelcar test token service', '-days', '1'], { stdio: 'ignore' });
  const privateKey = createPrivateKey(fs.readFileSync(key));
  const der = Buffer.from(
    fs
      .readFileSync(cert, 'utf8')
      .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
      .replace(/\s+/g, ''),
    'base64',
  );

  const scopes: string[][] = [];
  const tokens = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    if (url.pathname !== '/token' || req.headers.authorization !== expected || url.searchParams.get('service') !== SERVICE) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"invalid credentials"}');
      return;
    }
    const asked = url.searchParams.getAll('scope');
    scopes.push(asked);
    const access = asked
      .map((s) => /^repository:([^:]+):(.+)$/.exec(s))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ type: 'repository', name: m[1], actions: m[2].split(',') }));
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] }));
    const claims = b64url(JSON.stringify({ iss: ISSUER, sub: options.username, aud: SERVICE, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
    const signature = b64url(sign('sha256', Buffer.from(`${header}.${claims}`), privateKey));
    const token = `${header}.${claims}.${signature}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => tokens.listen(0, '127.0.0.1', resolve));
  const realm = `http://127.0.0.1:${(tokens.address() as import('net').AddressInfo).port}/token`;

  const registry = await startDockerRegistry({
    dir: options.dir,
    auth: ['  token:', `    realm: ${realm}`, `    service: ${SERVICE}`, `    issuer: ${ISSUER}`, `    rootcertbundle: ${JSON.stringify(cert)}`],
  }).catch(async (e) => {
    await new Promise<void>((resolve) => tokens.close(() => resolve()));
    throw e;
  });
  const stop = async () => {
    await registry.stop();
    await new Promise<void>((resolve) => tokens.close(() => resolve()));
  };
  return { host: registry.host, scopes, log: registry.log, stop };
}
