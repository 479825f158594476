/**
 * Registry credentials for modelcar's own registry clients (the image writer's push, `modelcar pin`'s reads), read
 * from the same auth files podman and buildah read (registry-auth.ts): the `--authfile` (a Docker config JSON, or a
 * pull secret turned into one), else the standard files in their order. Looked up as containers-auth.json(5) says: the most specific key first
 * (`host/namespace/repo`, then shorter, then `host`), with Docker's `https://host` form and Docker Hub's legacy
 * keys understood. Credentials stay in memory: never in a message.
 */
import { execFileSync } from 'child_process';
import { UserError } from '../../core/errors';
import { standardAuthFiles } from '../registry-auth';
import { readRegularFile } from '../../core/safe-fs';

/** A user name and password (or token) for Basic auth, or for a bearer token request. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Where credentials come from, for messages. */
export interface FoundCredentials {
  readonly credentials?: Credentials;
  /** The file and key they came from; never the credentials. */
  readonly from?: string;
}

/** Docker Hub's registry host as image references name it, and the keys its credentials may be stored under. */
const DOCKER_HUB_KEYS = ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/', 'https://index.docker.io/v1'];

/** How {@link findCredentials} treats a file that keeps the credentials in a credential helper. */
export interface FindCredentialsOptions {
  /**
   * Run the helper (`docker-credential-<name> get`), as `modelcar pin` does; otherwise the lookup is refused with a
   * way out, as the image writer does (it does not run other programs while it holds an upload open).
   * @default false
   */
  readonly runHelpers?: boolean;
}

/**
 * The credentials for a repository (`host`, `repository` as in the image reference; `docker.io` for Docker Hub).
 * `authfile` is the file to read (as prepared by registry-auth.ts); without it, the standard files, first match wins.
 */
export function findCredentials(host: string, repository: string, authfile: string | undefined, env: NodeJS.ProcessEnv = process.env, options: FindCredentialsOptions = {}): FoundCredentials {
  const files = authfile !== undefined ? [authfile] : standardAuthFiles(env);
  for (const file of files) {
    let text: string;
    try {
      text = readRegularFile(file).toString('utf8');
    } catch {
      // none, unreadable, or not a file (a FIFO or device is never waited on): the next one
      continue;
    }
    const found = credentialsIn(text, file, host, repository, env, options);
    if (found) return found;
  }
  return {};
}

/**
 * The credentials for a repository in one auth file's text (a Docker config JSON), as {@link findCredentials} looks
 * them up; undefined when it has none (nor a helper that has them). `file` names it in messages.
 */
export function credentialsIn(text: string, file: string, host: string, repository: string, env: NodeJS.ProcessEnv = process.env, options: FindCredentialsOptions = {}): FoundCredentials | undefined {
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(`${file}: not valid JSON; it should be a Docker config JSON ({"auths": {...}}), as podman login writes`);
  }
  const auths: Record<string, any> = json && typeof json.auths === 'object' && json.auths !== null ? json.auths : {};
  const byKey = new Map<string, any>();
  for (const [key, value] of Object.entries(auths)) byKey.set(normalizeKey(key), value);
  for (const key of candidateKeys(host, repository)) {
    const entry = byKey.get(key);
    if (entry === undefined) continue;
    const credentials = decode(entry, file, key);
    if (credentials) return { credentials, from: `${file} (${key})` };
  }
  const helpers = { ...(json?.credHelpers ?? {}) };
  const helper = helpers[host] ?? (host === 'docker.io' ? DOCKER_HUB_KEYS.map((k) => helpers[k]).find(Boolean) : undefined) ?? json?.credsStore;
  if (typeof helper === 'string' && helper) {
    if (options.runHelpers) {
      const credentials = fromHelper(helper, host, env);
      return credentials ? { credentials, from: `docker-credential-${helper} (${host})` } : undefined;
    }
    throw new UserError(`${file} keeps the credentials for ${host} in the credential helper docker-credential-${helper}, which modelcar's own image writer does not run; use --builder podman or buildah, or give an auth file with the credentials (podman login --authfile FILE)`);
  }
  return undefined;
}

/** The keys to look for, most specific first: `host/a/b`, `host/a`, `host`. */
function candidateKeys(host: string, repository: string): string[] {
  const keys: string[] = [];
  const parts = repository.split('/');
  for (let i = parts.length; i >= 1; i--) keys.push(`${host}/${parts.slice(0, i).join('/')}`);
  keys.push(host);
  if (host === 'docker.io') keys.push(...DOCKER_HUB_KEYS.map(normalizeKey));
  return keys;
}

/** A key as containers/image compares it: without a scheme and a trailing `/`; Docker Hub's `/v1/` form as `docker.io`. */
function normalizeKey(key: string): string {
  let k = key.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (k === 'index.docker.io/v1' || k === 'index.docker.io' || k === 'registry-1.docker.io') k = 'docker.io';
  return k;
}

function decode(entry: any, file: string, key: string): Credentials | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) throw new UserError(`${file}: the "auth" of ${key} is not base64 of user:password`);
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string' && entry.username !== '') return { username: entry.username, password: entry.password };
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
    throw new UserError(`${file}: ${key} has an identity token (an OAuth refresh token), which modelcar's own image writer does not use; use --builder podman or buildah`);
  }
  return undefined;
}

/** Asks a Docker credential helper (`docker-credential-<name> get`, the host on its standard input). */
function fromHelper(name: string, host: string, env: NodeJS.ProcessEnv): Credentials | undefined {
  let out: string;
  try {
    out = execFileSync(`docker-credential-${name}`, ['get'], { input: host, env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`the auth file names the credential helper docker-credential-${name}, which is not installed`);
    // The helper has no credentials for the host ("credentials not found in native keychain").
    return undefined;
  }
  try {
    const data = JSON.parse(out);
    return typeof data.Username === 'string' && typeof data.Secret === 'string' ? { username: data.Username, password: data.Secret } : undefined;
  } catch {
    return undefined;
  }
}
