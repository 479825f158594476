import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { App, Chart } from 'cdk8s';
import { environmentNames, resolveEnvironment } from '../config/environments';
import { LoadedConfig } from '../config/load';
import { DEFAULT_DOCKER_SERVER, DockerRegistryCredentials, dockerConfigJson } from '../core/docker-config';
import { ConfigError, Diagnostic, UserError } from '../core/errors';
import { checkName } from '../core/names';
import { toYaml } from '../output/manifests';
import { refuseSecretsFolder, writeSecretFilesSteps } from '../output/secrets-folder';
import { realOrResolved } from '../core/folder-lock';
import { Steps } from '../core/interrupts';
import { own } from '../core/records';
import { PullSecret } from '../constructs/pull-secret';
import { SealingScope, sealedSecret, sealingKey } from '../core/sealed-secret';

/** Where `modelcar pull-secret` reads credentials: environment variables or standard input, never arguments. */
export interface CredentialSource {
  readonly server?: string;
  readonly usernameEnv: string;
  /** The environment variable with the password; ignored when `passwordStdin`. */
  readonly passwordEnv: string;
  /** Read the password from standard input (one line; a final newline is dropped). */
  readonly passwordStdin?: boolean;
  readonly emailEnv?: string;
}

/** One pull Secret to make: its name, namespace and credentials. */
export interface PullSecretRequest {
  readonly name: string;
  readonly namespace: string;
  readonly credentials: DockerRegistryCredentials;
}

/**
 * Reads credentials from the environment (and standard input). Errors name the variable, never a value.
 */
export function readCredentials(source: CredentialSource, env: NodeJS.ProcessEnv, readStdin: () => string): DockerRegistryCredentials {
  const fromEnv = (variable: string, what: string) => {
    const value = env[variable];
    if (value === undefined || value === '') throw new UserError(`the ${what} is read from the environment variable ${variable}, which is not set (or empty)`);
    return value;
  };
  const username = fromEnv(source.usernameEnv, 'registry user name');
  let password: string;
  if (source.passwordStdin) {
    password = readStdin().replace(/\r?\n$/, '');
    if (password === '') throw new UserError('--password-stdin: standard input is empty; pipe the password in, e.g. `printenv TOKEN | modelcar pull-secret ...`');
  } else {
    password = fromEnv(source.passwordEnv, 'registry password');
  }
  const email = source.emailEnv === undefined ? undefined : env[source.emailEnv];
  return { server: source.server ?? DEFAULT_DOCKER_SERVER, username, password, email: email || undefined };
}

/** The Secret `kubectl create secret docker-registry NAME -n NAMESPACE ... -o yaml` makes (without its null creationTimestamp). */
export function pullSecretObject(request: PullSecretRequest): Record<string, any> {
  for (const p of checkName('subdomain', request.name)) throw new UserError(`"${request.name}" is not a valid Secret name: ${p}`, 2);
  for (const p of checkName('label', request.namespace)) throw new UserError(`"${request.namespace}" is not a valid namespace name: ${p}`, 2);
  const chart = new Chart(new App(), 'pull-secret', { disableResourceNameHashes: true });
  // A PropError names the field, never a credential's value.
  return new PullSecret(chart, 'Secret', request).apiObject.toJson();
}

/**
 * The namespaces each pull secret is used in: those of the models that name it (their own or the default one), in
 * every environment when the config has environments (their namespace renames, defaults and excluded models
 * applied, as synth deploys them), else in the config as it is.
 */
export function pullSecretNamespaces(loaded: LoadedConfig): Map<string, Set<string>> {
  const views = environmentNames(loaded.config).map((env) => resolveEnvironment(loaded, env).config);
  const used = new Map<string, Set<string>>();
  for (const config of views.length ? views : [loaded.config]) {
    for (const model of config.models) {
      const name = model.pullSecret ?? config.defaults?.pullSecret;
      const namespace = model.namespace ?? config.defaults?.namespace;
      if (name === undefined || namespace === undefined) continue;
      if (!used.has(name)) used.set(name, new Set());
      used.get(name)!.add(namespace);
    }
  }
  return used;
}

/**
 * The pull Secrets a config asks `modelcar pull-secret` to make: each `pullSecrets` entry with `fromEnv`, in
 * every namespace whose models use it, in every environment (only those named, when `names` is not empty).
 */
export function pullSecretsOfConfig(loaded: LoadedConfig, names: readonly string[], env: NodeJS.ProcessEnv): PullSecretRequest[] {
  const { config, at } = loaded;
  const entries = config.pullSecrets ?? {};
  const problems: Diagnostic[] = [];
  for (const n of names) {
    if (!own(entries, n)?.fromEnv) problems.push(at(own(entries, n) ? ['pullSecrets', n] : ['pullSecrets'], `"${n}" is not a pull secret with fromEnv in this config`));
  }
  const wanted = Object.keys(entries)
    .filter((n) => own(entries, n)!.fromEnv && (names.length === 0 || names.includes(n)))
    .sort();
  const used = pullSecretNamespaces(loaded);
  const environments = environmentNames(config).length > 0;
  const requests: PullSecretRequest[] = [];
  for (const name of wanted) {
    const entry = own(entries, name)!;
    const from = entry.fromEnv!;
    const namespaces = used.get(name) ?? new Set<string>();
    if (namespaces.size === 0) {
      problems.push(at(['pullSecrets', name], `no model uses pull secret "${name}"${environments ? ' in any environment' : ''}, so there is no namespace to make it in`));
      continue;
    }
    for (const key of ['username', 'password'] as const) {
      if (!own(env, from[key])) problems.push(at(['pullSecrets', name, 'fromEnv', key], `the environment variable ${from[key]} is not set (or empty)`));
    }
    if (problems.length) continue;
    const credentials = readCredentials({ server: entry.server, usernameEnv: from.username, passwordEnv: from.password, emailEnv: from.email }, env, () => '');
    for (const namespace of [...namespaces].sort()) requests.push({ name, namespace, credentials });
  }
  if (problems.length) throw new ConfigError(problems);
  return requests;
}

/** Options of {@link renderPullSecrets}. */
export interface SealOptions {
  /** PEM certificate of the sealed-secrets controller: make SealedSecrets instead of Secrets. */
  readonly certificate?: { readonly pem: string; readonly source: string };
  /** @default 'strict' */
  readonly scope?: SealingScope;
}

/** The objects for a set of requests: Secrets, or SealedSecrets when a certificate is given. */
export function pullSecretObjects(requests: readonly PullSecretRequest[], seal: SealOptions = {}): Record<string, any>[] {
  const key = seal.certificate && sealingKey(seal.certificate.pem, seal.certificate.source);
  return requests.map((r) => {
    const secret = pullSecretObject(r);
    if (!key) return secret;
    return sealedSecret({ name: r.name, namespace: r.namespace, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': dockerConfigJson(r.credentials) }, key, scope: seal.scope });
  });
}

/** Objects as one multi-document YAML stream, for `| oc apply -f -`. */
export function renderYamlStream(objects: readonly Record<string, any>[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}

/**
 * Writes objects as files `<namespace>/<kind>-<name>.yaml` into a folder, as steps for the CLI to run interruptibly:
 * each file whole or absent, no temporary file left. Secrets (credentials in the clear) get mode 0600, and the folder
 * a `.gitignore` that keeps it out of git; the folder must be one of its own: not modelcar's (committed) output, nor
 * inside it (by real path: a link into it counts), nor a folder of other files, and no file may be tracked by git.
 * SealedSecrets are safe to commit. Nothing is written through a symbolic link.
 */
export function* writeObjectFilesSteps(dir: string, objects: readonly Record<string, any>[]): Steps<string[]> {
  const holdsCredentials = objects.some((o) => o.kind === 'Secret');
  const files = objects.map((o) => ({ path: `${o.metadata.namespace}/${String(o.kind).toLowerCase()}-${o.metadata.name}.yaml`, content: toYaml(o) }));
  if (holdsCredentials) {
    const tracked = trackedByGit(realOrResolved(dir), files.map((f) => f.path));
    if (tracked.length) throw new UserError(`refusing to write Secrets over files that git tracks: ${tracked.join(', ')}; untrack them (git rm --cached) first`, 2);
    refuseSecretsFolder(dir);
  }
  yield* writeSecretFilesSteps(dir, files, { credentials: holdsCredentials });
  return files.map((f) => path.join(dir, f.path));
}

function trackedByGit(dir: string, rels: readonly string[]): string[] {
  let cwd = dir;
  while (!fs.existsSync(cwd)) cwd = path.dirname(cwd);
  try {
    const out = execFileSync('git', ['ls-files', '--full-name', '--', ...rels.map((r) => path.relative(cwd, path.join(dir, r)))], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').filter(Boolean);
  } catch {
    return []; // not in a git work tree, or no git
  }
}
