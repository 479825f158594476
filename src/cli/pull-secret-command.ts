import { loadConfig } from '../config/load';
import { UserError } from '../core/errors';
import { SealingScope } from '../core/sealed-secret';
import { AbortedError, runStepsAsync } from '../core/interrupts';
import { PullSecretRequest, pullSecretObjects, pullSecretsOfConfig, readCredentials, renderYamlStream, writeObjectFilesSteps } from '../pipeline/secrets';
import { INTERRUPTED_EXIT_CODE } from '../core/interrupts';
import { NotRegularFileError, readRegularFile } from '../core/safe-fs';

/** Arguments of `modelcar pull-secret`. */
export interface PullSecretArgs {
  readonly names: readonly string[];
  readonly config?: string;
  readonly namespace?: string;
  readonly server?: string;
  readonly usernameEnv: string;
  readonly passwordEnv: string;
  readonly passwordStdin: boolean;
  readonly emailEnv?: string;
  readonly sealWith?: string;
  readonly scope: SealingScope;
  readonly outDir?: string;
}

/**
 * Runs `modelcar pull-secret`: makes pull Secrets (or SealedSecrets) from credentials in the environment or
 * on standard input, and prints them or writes them outside the committed output. Returns what to print.
 */
export async function runPullSecret(args: PullSecretArgs, env: NodeJS.ProcessEnv, readStdin: () => string, signal?: AbortSignal): Promise<string> {
  let requests: PullSecretRequest[];
  if (args.config !== undefined) {
    if (args.namespace !== undefined || args.server !== undefined || args.passwordStdin) {
      throw new UserError('with --config, the namespaces, servers and environment variables come from the config: drop --namespace, --server and --password-stdin', 2);
    }
    requests = pullSecretsOfConfig(loadConfig(args.config), args.names, env);
    if (requests.length === 0) throw new UserError(`${args.config}: no pullSecrets entry has fromEnv; nothing to make`);
  } else {
    if (args.names.length !== 1) throw new UserError('name one Secret to make (or give --config to make those of a config)', 2);
    if (args.namespace === undefined) throw new UserError('--namespace (-n) is required: pods can only use pull secrets of their own namespace', 2);
    const credentials = readCredentials(
      { server: args.server, usernameEnv: args.usernameEnv, passwordEnv: args.passwordEnv, passwordStdin: args.passwordStdin, emailEnv: args.emailEnv },
      env,
      readStdin,
    );
    requests = [{ name: args.names[0], namespace: args.namespace, credentials }];
  }
  const certificate = args.sealWith === undefined ? undefined : { pem: readCertificate(args.sealWith), source: args.sealWith };
  let objects;
  try {
    objects = pullSecretObjects(requests, { certificate, scope: args.scope });
  } catch (e) {
    if (UserError.isUserError(e) || !(e instanceof Error)) throw e;
    throw new UserError(e.message);
  }
  if (args.outDir === undefined) return renderYamlStream(objects);
  let written: string[];
  try {
    written = await runStepsAsync(writeObjectFilesSteps(args.outDir, objects), signal);
  } catch (e) {
    if (!(e instanceof AbortedError)) throw e;
    throw new UserError(`interrupted; each file in ${args.outDir} is whole or not written, and no temporary file with credentials is left`, INTERRUPTED_EXIT_CODE);
  }
  const what = certificate ? 'SealedSecret' : 'Secret (mode 0600, git-ignored folder)';
  return written.map((f) => `wrote ${what} ${f}\n`).join('');
}

function readCertificate(file: string): string {
  try {
    return readRegularFile(file).toString('utf8');
  } catch (e: any) {
    if (e instanceof NotRegularFileError) throw new UserError(`--seal-with ${file}: is ${e.kind}, not a file; fetch the controller's certificate with \`kubeseal --fetch-cert > cert.pem\``);
    throw new UserError(`--seal-with ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}; fetch the controller's certificate with \`kubeseal --fetch-cert > cert.pem\``);
  }
}
