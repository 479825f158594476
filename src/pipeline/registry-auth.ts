/**
 * Registry credentials for pushing: the standard auth file that podman and buildah read by themselves, or a file
 * given with `--authfile`: a Docker config JSON (`{"auths": ...}`, what `podman login` writes) or a pull secret
 * (a Secret of type kubernetes.io/dockerconfigjson, as `kubectl create secret docker-registry -o yaml` or modelcar
 * writes it). Credentials only ever travel in files (mode 0600): never on a command line, never in messages.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { UserError } from '../core/errors';
import { NotRegularFileError, readRegularFile } from '../core/safe-fs';

/** An auth file ready to hand to the builder. */
export interface AuthFile {
  /** The path to pass as `--authfile`; undefined: the builder finds the standard one itself. */
  readonly path?: string;
  /** Where the credentials come from, for messages (never the credentials). */
  readonly describe: string;
  /** Removes a temporary file made from a pull secret. */
  cleanup(): void;
}

/** Where podman and buildah look for credentials when no --authfile is given, in their order. */
export function standardAuthFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  // The file `podman login` writes: ${XDG_RUNTIME_DIR}/containers/auth.json whenever XDG_RUNTIME_DIR is set, for root
  // too; else /run/containers/<uid>/auth.json (containers/image, pkg/docker/config/config.go, getPathToAuthWithOS).
  if (env.XDG_RUNTIME_DIR) files.push(path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  else if (process.getuid) files.push(`/run/containers/${process.getuid()}/auth.json`);
  const home = env.HOME ?? os.homedir();
  files.push(path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'containers', 'auth.json'));
  files.push(path.join(env.DOCKER_CONFIG ?? path.join(home, '.docker'), 'config.json'));
  return files;
}

/**
 * Prepares the credentials for a push. Without `file`, the builder reads the standard auth file; the description
 * names the first that exists. With a pull secret, its `.dockerconfigjson` is written to a private temporary file.
 */
export function prepareAuthFile(file: string | undefined, env: NodeJS.ProcessEnv = process.env): AuthFile {
  if (file === undefined) {
    const found = standardAuthFiles(env).find((f) => fs.existsSync(f));
    const describe = found ? `credentials from ${found}${env.REGISTRY_AUTH_FILE === found ? ' (REGISTRY_AUTH_FILE)' : ''}` : 'no auth file found (podman login / REGISTRY_AUTH_FILE): pushing anonymously';
    return { describe, cleanup: () => undefined };
  }
  const config = readAuthFile(file);
  if (config.secret === undefined) return { path: path.resolve(file), describe: `credentials from ${file}`, cleanup: () => undefined };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-auth-'));
  const out = path.join(dir, 'auth.json');
  fs.writeFileSync(out, config.text, { mode: 0o600 });
  return {
    path: out,
    describe: `credentials from the pull secret ${config.secret} in ${file}`.replace('secret  in', 'secret in'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The Docker config JSON an `--authfile` holds. */
export interface AuthConfig {
  /** Its text: the file's own, or its pull secret's `.dockerconfigjson`. */
  readonly text: string;
  /** The pull secret's name when the file is one ('' for a Secret without a name); undefined for a Docker config JSON. */
  readonly secret?: string;
}

/**
 * Reads an `--authfile`: a Docker config JSON, or a pull secret (YAML or JSON, possibly among other documents or in
 * a List) whose `.dockerconfigjson` is one. Throws a UserError for anything else.
 */
export function readAuthFile(file: string): AuthConfig {
  let text: string;
  try {
    // A regular file: a pull secret committed to a checkout may be a link to /dev/zero, or a FIFO stand there.
    text = readRegularFile(file).toString('utf8');
  } catch (e: any) {
    if (e instanceof NotRegularFileError) throw new UserError(`--authfile ${file}: is ${e.kind}, not a file`);
    throw new UserError(`--authfile ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
  }
  const notAuth = `--authfile ${file}: neither a Docker config JSON ({"auths": {...}}, as podman login writes) nor a Secret of type kubernetes.io/dockerconfigjson`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (isDockerConfig(json)) return { text };

  // A Secret manifest: YAML (or JSON), possibly among other documents or in a List.
  let docs: unknown[];
  try {
    docs = YAML.parseAllDocuments(text).map((d) => d.toJS());
  } catch {
    throw new UserError(notAuth);
  }
  const candidates = docs.flatMap((d: any) => (d && d.kind === 'List' && Array.isArray(d.items) ? d.items : [d]));
  const secret = candidates.find((d: any) => d && d.kind === 'Secret' && d.type === 'kubernetes.io/dockerconfigjson');
  if (!secret) throw new UserError(notAuth);
  const encoded = secret.data?.['.dockerconfigjson'];
  const payload = typeof encoded === 'string' ? Buffer.from(encoded, 'base64').toString('utf8') : secret.stringData?.['.dockerconfigjson'];
  let config: unknown;
  try {
    config = typeof payload === 'string' ? JSON.parse(payload) : undefined;
  } catch {
    config = undefined;
  }
  if (!isDockerConfig(config)) throw new UserError(`--authfile ${file}: the Secret's .dockerconfigjson is not a Docker config JSON ({"auths": {...}})`);
  return { text: payload as string, secret: String(secret.metadata?.name ?? '') };
}

/** A Docker config JSON: credentials under `auths`, or credential helpers (`credHelpers`), which podman reads too. */
function isDockerConfig(value: unknown): boolean {
  const v = value as Record<string, unknown> | null;
  return typeof v === 'object' && v !== null && ['auths', 'credHelpers'].some((k) => typeof v[k] === 'object' && v[k] !== null);
}
