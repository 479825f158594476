#!/usr/bin/env node
import * as fs from 'fs';
import yargs, { Argv } from 'yargs';
import { didYouMean, isSystemError, printable, systemErrorMessage, UserError } from '../core/errors';
import { withInterrupts } from './signals';
import { modelcarVersion } from '../core/version';
// Each command loads its modules when it runs, so `validate` does not pay for loading cdk8s.
type SynthCommand = typeof import('./synth-command');
type ValidateCommand = typeof import('./validate-command');
type PullSecretCommand = typeof import('./pull-secret-command');
type StageCommand = typeof import('./stage-command');
type BuildCommand = typeof import('./build-command');
type PinCommand = typeof import('./pin-command');
type InitCommand = typeof import('./init-command');

/** What a command may read besides its arguments: the environment and standard input. */
export interface CliInput {
  readonly env: NodeJS.ProcessEnv;
  readonly readStdin: () => string;
}

const PROCESS_INPUT: CliInput = { env: process.env, readStdin: () => fs.readFileSync(0, 'utf8') };

/** The version in modelcar's package.json (found above this file, from src/ or from lib/src/). */
const stdout = (text: string) => void process.stdout.write(text);

/** The config file option of the commands that read one. */
const CONFIG_OPTION = { alias: 'c', type: 'string', default: 'modelcar.yaml', describe: 'The config file', normalize: true } as const;

/** Where the registry credentials come from, for the commands that talk to registries. */
const AUTHFILE_OPTION = {
  type: 'string',
  describe: 'Registry credentials: a Docker config JSON or a dockerconfigjson pull secret (default: REGISTRY_AUTH_FILE, else the file podman login writes)',
  normalize: true,
} as const;

const TLS_VERIFY_OPTION = { type: 'boolean', default: true, describe: "Verify the registry's TLS certificate; --tls-verify=false for a local registry over plain http" } as const;

/** The models a command works on, by name; `note` adds to what the default says. */
function modelsPositional(what: string, note?: string) {
  return { type: 'string', array: true, default: [] as string[], describe: `Models to ${what}, as name or namespace/name (default: all${note ? `; ${note}` : ''})` } as const;
}

const NAME_A_COMMAND = 'Name a command: synth, validate, stage, build, pin, init, pull-secret';

/**
 * yargs's "Unknown argument" list, with a did-you-mean for each mistyped flag, as yargs gives one for a mistyped
 * command: `Unknown argument: chek (did you mean --check?)`. yargs lists a kebab-case flag twice (`out-dirr,
 * outDirr`): its camelCase copy is left out. `flags` are the names the command knows (aliases of one letter are
 * not suggested: every other letter is one edit away from them).
 */
export function unknownArgumentsMessage(names: readonly string[], argv: readonly string[], flags: readonly string[]): string {
  const camel = (name: string) => name.replace(/-+([^-])/g, (_m, c: string) => c.toUpperCase());
  const shown = names.filter((n) => !names.some((other) => other !== n && other.includes('-') && camel(other) === n));
  const long = flags.filter((f) => f.length > 1);
  const typed = (name: string) => argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`) || a === `--no-${name}` || a.startsWith(`--no-${name}=`));
  const items = shown.map((name) => {
    const token = typed(name);
    const match = token === undefined || name.length < 2 ? undefined : didYouMean(name, long);
    if (match === undefined) return name;
    return `${name} (did you mean --${token!.startsWith('--no-') ? 'no-' : ''}${match}?)`;
  });
  return `${items.length === 1 ? 'Unknown argument' : 'Unknown arguments'}: ${items.join(', ')}`;
}

/** The flags written on a command line without a command (`modelcar --verison`) that are not among `flags`. */
function unknownFlags(argv: readonly string[], flags: readonly string[]): string[] {
  const names = argv.filter((a) => /^--?[^-]/.test(a)).map((a) => a.replace(/^--?(no-)?/, '').replace(/=.*$/, ''));
  return [...new Set(names.filter((n) => !flags.includes(n)))];
}

/** Parses the arguments and runs one command. Returns the exit code. */
export async function main(
  argv: readonly string[],
  out: (text: string) => void = stdout,
  err: (text: string) => void = (t) => process.stderr.write(t),
  input: CliInput = PROCESS_INPUT,
): Promise<number> {
  // A progress bar only when the output is the terminal itself.
  const progressOut = { write: out, isTTY: out === stdout && process.stdout.isTTY === true };
  let code = 0;
  // The flags of the command being parsed, for did-you-mean: each command's builder records its own.
  let flags: readonly string[] = ['help', 'h', 'version', 'v'];
  const known = <T>(y: Argv<T>): Argv<T> => {
    // getOptions() is a public method of yargs 17 that its typings leave out.
    flags = Object.keys((y as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key);
    return y;
  };
  const parser = yargs()
    .scriptName('modelcar')
    .usage('$0 <command> [options]\n\nServe ML models from OCI images on KServe, OpenDataHub and OpenShift AI.')
    .command(
      'synth',
      'Synthesize Kubernetes manifests and image build contexts from a config; record the files of its folders and Hugging Face repositories in the lock file',
      (y) =>
        known(
          y
            .option('config', CONFIG_OPTION)
            .option('output', { alias: 'o', type: 'string', default: 'dist', describe: 'The output folder', normalize: true })
            .option('check', { type: 'boolean', default: false, describe: 'Write nothing and ask no hub; exit 1 and show a diff of each file that would change when the output folder is stale, or name each file of a folder or repository that no longer matches the lock file; exit 0 when all is current' })
            .example('$0 synth -c examples/mobilenet/modelcar.yaml -o dist', 'Synthesize the bundled MobileNet example into dist/')
            .example('$0 synth --check', 'In CI: fail when the committed dist/ is stale'),
        ),
      async (args) => {
        const { checkFails, formatChanges, formatSummary, formatWarnings, runSynth } = require('./synth-command') as SynthCommand;
        const result = await withInterrupts((signal) => runSynth({ config: args.config, outdir: args.output, check: args.check }, { env: input.env, output: { write: out }, signal }));
        err(formatWarnings(result));
        if (args.check) {
          out(formatChanges(result, args.output, args.config));
          code = checkFails(result) ? 1 : 0;
        } else {
          out(formatSummary(result, args.config, args.output));
        }
      },
    )
    .command(
      'pull-secret [names..]',
      'Make image pull Secrets from credentials in the environment or on stdin (never arguments): print them for `oc apply -f -`, write them outside the committed output, or seal them',
      (y) =>
        known(
          y
            .positional('names', { type: 'string', array: true, default: [] as string[], describe: 'The Secret name (with --config: the pullSecrets entries to make; default all with fromEnv)' })
            .option('config', { alias: 'c', type: 'string', describe: 'Make the fromEnv pull secrets of this config, in every namespace whose models use them', normalize: true })
            .option('namespace', { alias: 'n', type: 'string', describe: 'Namespace of the Secret' })
            .option('server', { type: 'string', describe: 'The registry (default https://index.docker.io/v1/)' })
            .option('username-env', { type: 'string', default: 'REGISTRY_USERNAME', describe: 'Environment variable with the user name' })
            .option('password-env', { type: 'string', default: 'REGISTRY_PASSWORD', describe: 'Environment variable with the password or token' })
            .option('password-stdin', { type: 'boolean', default: false, describe: 'Read the password from standard input instead' })
            .option('email-env', { type: 'string', describe: 'Environment variable with the email' })
            .option('seal-with', { type: 'string', describe: "Seal with this sealed-secrets controller certificate (PEM): make SealedSecrets, safe to commit", normalize: true })
            .option('scope', { choices: ['strict', 'namespace-wide', 'cluster-wide'] as const, default: 'strict' as const, describe: 'Sealing scope' })
            .option('out-dir', { type: 'string', describe: 'Write files <namespace>/<kind>-<name>.yaml here instead of printing (Secrets: mode 0600, folder git-ignored)', normalize: true })
            .example('REGISTRY_USERNAME=robot REGISTRY_PASSWORD=... $0 pull-secret quay-pull -n ml --server quay.io | oc apply -f -', 'Create a pull secret without writing it anywhere')
            .example('$0 pull-secret -c modelcar.yaml --out-dir .modelcar/secrets', 'Make the fromEnv pull secrets of a config into a git-ignored folder')
            .example('$0 pull-secret quay-pull -n ml --server quay.io --password-stdin --seal-with cert.pem > dist-sealed.yaml', 'A SealedSecret to commit'),
        ),
      async (args) => {
        const { runPullSecret } = require('./pull-secret-command') as PullSecretCommand;
        const text = await withInterrupts((signal) =>
          runPullSecret(
            {
              names: args.names,
              config: args.config,
              namespace: args.namespace,
              server: args.server,
              usernameEnv: args.usernameEnv,
              passwordEnv: args.passwordEnv,
              passwordStdin: args.passwordStdin,
              emailEnv: args.emailEnv,
              sealWith: args.sealWith,
              scope: args.scope,
              outDir: args.outDir,
            },
            input.env,
            input.readStdin,
            signal,
          ),
        );
        out(text);
      },
    )
    .command(
      'validate [paths..]',
      "Validate Kubernetes YAML (files or folders) as kubectl apply would: the KServe CRDs, the Kubernetes schemas, KServe's admission webhooks; warn about what KServe admits but fails on",
      (y) =>
        known(
          y
            .positional('paths', { type: 'string', array: true, default: ['dist'], describe: 'YAML files and folders (folders: every *.yaml and *.yml below)' })
            .option('kserve-version', { type: 'string', choices: ['0.15', '0.20'], default: '0.15', describe: "The cluster's KServe: its CRDs and webhook rules judge (0.15: v0.15.2, 0.20: v0.20.0)" })
            .example('$0 validate dist', 'Check what synth wrote')
            .example('$0 validate my-isvc.yaml --kserve-version 0.20', 'Check a hand-written InferenceService for KServe 0.20'),
        ),
      (args) => {
        const { runValidate } = require('./validate-command') as ValidateCommand;
        const result = runValidate({ paths: args.paths as string[], kserveVersion: args['kserve-version'] });
        out(result.text);
        code = result.code;
      },
    )
    .command(
      'stage [models..]',
      "Put each model's files into its build context: link, copy or download them, checking their sha256",
      (y) =>
        known(
          y
            .positional('models', modelsPositional('stage'))
            .option('config', CONFIG_OPTION)
            .option('output', { alias: 'o', type: 'string', default: 'dist', describe: 'The output folder that holds the build contexts', normalize: true })
            .option('retries', { type: 'number', default: 5, describe: 'Attempts after the first for a download that breaks, goes idle or gets HTTP 429/5xx (resumed where it broke)' })
            .option('stall-timeout', { type: 'number', default: 120, describe: 'Give up a download when less than 64 KiB arrive in this many seconds (over its attempts)' })
            .example('$0 stage -c examples/mobilenet/modelcar.yaml', 'Download the MobileNet model into both build contexts')
            .example('HTTPS_PROXY=http://proxy:3128 HF_TOKEN=... $0 stage', 'Through a proxy, with a Hugging Face token for gated repositories'),
        ),
      async (args) => {
        const { runStage } = require('./stage-command') as StageCommand;
        if (!Number.isInteger(args.retries) || args.retries < 0) throw new UserError(`--retries: ${args.retries} is not a whole number of 0 or more`, 2);
        const stall = args['stall-timeout'];
        if (!(stall > 0)) throw new UserError(`--stall-timeout ${stall}: give a number of seconds above 0`, 2);
        await runStage({ config: args.config, output: args.output, models: args.models ?? [], retries: args.retries, stallTimeoutMs: Math.round(stall * 1000) }, progressOut, input.env);
      },
    )
    .command(
      'build [models..]',
      'Build each model image reproducibly; with --push, push it and record its digest in the lock file',
      (y) =>
        known(
          y
            .positional('models', modelsPositional('build'))
            .option('config', CONFIG_OPTION)
            .option('output', { alias: 'o', type: 'string', default: 'dist', describe: 'The output folder that holds the build contexts', normalize: true })
            .option('push', { type: 'boolean', default: false, describe: 'Push each image and record its digest in <config>.lock.yaml; synth then pins storageUri to it' })
            .option('builder', {
              type: 'string',
              choices: ['modelcar', 'podman', 'buildah'],
              describe: "modelcar: its own image writer, the model files streamed straight to the registry (the default with --push or --layout); podman or buildah: the Containerfile, built into local container storage (the default without; podman when installed)",
            })
            .option('layout', { type: 'string', describe: 'With the modelcar builder, without --push: write each image as an OCI image layout folder under DIR (DIR/<namespace>/<model>)', normalize: true })
            .option('authfile', AUTHFILE_OPTION)
            .option('tls-verify', TLS_VERIFY_OPTION)
            .option('digestfile', { type: 'string', describe: 'With --push of one model: write the digest of the pushed image (sha256:...) to this file', normalize: true })
            .example('$0 build --push', 'Build every model image, push it, record the digests in modelcar.lock.yaml')
            .example('$0 build mobilenet --builder buildah', 'Build one model with buildah into local storage, without pushing')
            .example('$0 build --push --builder podman', 'Build with podman and push with it'),
        ),
      async (args) => {
        const { runBuild } = require('./build-command') as BuildCommand;
        await runBuild(
          { config: args.config, output: args.output, models: args.models ?? [], push: args.push, builder: args.builder, layout: args.layout, authfile: args.authfile, tlsVerify: args['tls-verify'], digestfile: args.digestfile },
          progressOut,
        );
      },
    )
    .command(
      'pin [models..]',
      "Record in the lock file the digest of each model image already pushed: from its registry, once its labels show the config's files (images built by CI, build.sh, another tool), or with --from-run from finished in-cluster builds (Tekton TaskRuns); synth then pins storageUri to them",
      (y) =>
        known(
          y
            .positional('models', modelsPositional('pin', 'not with --from-run, which pins the runs it is given'))
            .option('config', CONFIG_OPTION)
            .option('authfile', AUTHFILE_OPTION)
            .option('tls-verify', TLS_VERIFY_OPTION)
            .option('from-run', { type: 'string', nargs: 1, describe: 'Instead of the registry: the finished TaskRuns, as `oc get taskrun NAME -o yaml` prints them: a file, or - for standard input', normalize: true })
            .option('output', { alias: 'o', type: 'string', default: 'dist', describe: 'With --from-run: the output folder synth writes', normalize: true })
            .example('$0 pin', 'After CI pushed the images: record their digests in modelcar.lock.yaml, then run modelcar synth')
            .example('$0 pin team-a/mobilenet --authfile pull-secret.yaml', 'One model, with the credentials of a pull secret')
            .example('oc get taskrun -n ml -l app.kubernetes.io/managed-by=modelcar -o yaml | $0 pin --from-run -', 'Pin every finished build of namespace ml'),
        ),
      async (args) => {
        if (args.fromRun !== undefined) {
          if ((args.models ?? []).length) throw new UserError(`--from-run pins the runs it is given: name no models (${(args.models ?? []).join(', ')})`, 2);
          const { runPinFromRun } = require('./pin-command') as PinCommand;
          out(runPinFromRun({ config: args.config, output: args.output, fromRun: args.fromRun }, input.readStdin));
          return;
        }
        const { runPin } = require('./pin-command') as PinCommand;
        await runPin({ config: args.config, models: args.models ?? [], authfile: args.authfile, tlsVerify: args['tls-verify'] }, progressOut, input.env);
      },
    )
    .command(
      'init [folder]',
      'Write a starter config for a model: from a local folder, or from a Hugging Face repository (--repo); the format and runtime are guessed from its files, and each guess is said',
      (y) =>
        known(
          y
            .positional('folder', { type: 'string', describe: 'A folder with the model files (relative paths are kept relative to the config)', normalize: true })
            .option('repo', { type: 'string', describe: 'A Hugging Face repository (namespace/name) instead of a folder' })
            .option('revision', { type: 'string', default: 'main', describe: 'The revision of --repo: a branch, a tag or a commit id' })
            .option('config', { alias: 'c', type: 'string', default: 'modelcar.yaml', describe: 'The config file to write (never overwritten)', normalize: true })
            .option('name', { type: 'string', describe: 'The model (InferenceService) name (default: from the folder or repository name)' })
            .option('namespace', { alias: 'n', type: 'string', describe: 'The namespace (default: models)' })
            .option('image', { type: 'string', describe: 'The model image to build and push (default: a placeholder on registry.example.com to change)' })
            .option('runtime', { type: 'string', describe: 'The runtime, instead of the guess' })
            .option('format', { type: 'string', describe: 'The model format, instead of the guess' })
            .example('$0 init --repo ibm-granite/granite-3.1-2b-instruct --image quay.io/me/granite:3.1', 'A vLLM config for a Hugging Face LLM')
            .example('$0 init models/mobilenet', 'A config for the ONNX model in a local folder'),
        ),
      async (args) => {
        const { runInit } = require('./init-command') as InitCommand;
        await runInit(
          { folder: args.folder, repo: args.repo, revision: args.revision, config: args.config, name: args.name, namespace: args.namespace, image: args.image, runtime: args.runtime, format: args.format },
          progressOut,
          input.env,
        );
      },
    )
    .demandCommand(1, NAME_A_COMMAND)
    .strict()
    .recommendCommands()
    .version(modelcarVersion())
    .alias('v', 'version')
    .help()
    .alias('h', 'help')
    .wrap(null)
    .updateStrings({ 'Did you mean %s?': 'Unknown command; did you mean %s?' })
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      const unknown = /^Unknown arguments?: (.*)$/.exec(message);
      const mistyped = message === NAME_A_COMMAND ? unknownFlags(argv, flags) : [];
      if (unknown) message = unknownArgumentsMessage(unknown[1]!.split(', '), argv, flags);
      else if (mistyped.length > 0) message = unknownArgumentsMessage(mistyped, argv, flags);
      throw new UserError(`${message}\nRun \`modelcar --help\` for usage.`, 2);
    })
    .showHelpOnFail(false);
  try {
    // With a callback, yargs hands over --help and --version text instead of printing it.
    let text = '';
    await parser.parseAsync([...argv], {}, (_e, _a, output) => {
      text = output;
    });
    if (text) out(`${text}\n`);
    return code;
  } catch (e) {
    if (UserError.isUserError(e)) {
      err(`modelcar: ${printable(e.message)}\n`);
      return e.exitCode;
    }
    // A system call that failed (a full disk, a read-only filesystem, a permission): the machine's state, not a bug.
    if (isSystemError(e)) {
      err(`modelcar: ${printable(systemErrorMessage(e))}\n`);
      return 1;
    }
    err(`modelcar: internal error (please report it): ${e instanceof Error ? e.stack : String(e)}\n`);
    return 3;
  }
}

if (require.main === module) {
  // A closed pipe (`modelcar synth | head`) is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
