#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import yargs from 'yargs';
import { UserError } from '../errors';
import { formatChanges, formatSummary, runSynth } from './synth-command';
import { runStage } from './stage-command';
import { runBuild } from './build-command';

/** The version in modelcar's package.json (found above this file, from src/ or from lib/src/). */
function version(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  }
  return 'unknown';
}

const stdout = (text: string) => void process.stdout.write(text);

/** Parses the arguments and runs one command. Returns the exit code. */
export async function main(argv: readonly string[], out: (text: string) => void = stdout, err: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
  // A progress bar only when the output is the terminal itself.
  const progressOut = { write: out, isTTY: out === stdout && process.stdout.isTTY === true };
  let code = 0;
  const parser = yargs()
    .scriptName('modelcar')
    .usage('$0 <command> [options]\n\nServe ML models from OCI images on KServe, OpenDataHub and OpenShift AI.')
    .command(
      'synth',
      'Synthesize Kubernetes manifests and image build contexts from a config',
      (y) =>
        y
          .option('config', { alias: 'c', type: 'string', default: 'modelcar.yaml', describe: 'The config file', normalize: true })
          .option('output', { alias: 'o', type: 'string', default: 'dist', describe: 'The output folder', normalize: true })
          .option('check', { type: 'boolean', default: false, describe: 'Write nothing; exit 1 when the output folder is not what synth would write' })
          .example('$0 synth -c examples/mobilenet/modelcar.yaml -o dist', 'Synthesize the bundled MobileNet example into dist/')
          .example('$0 synth --check', 'In CI: fail when the committed dist/ is stale'),
      (args) => {
        const result = runSynth({ config: args.config, outdir: args.output, check: args.check });
        for (const warning of result.warnings) err(`modelcar: warning: ${warning}\n`);
        if (args.check) {
          out(formatChanges(result, args.output));
          code = result.changes.added.length + result.changes.changed.length + result.changes.removed.length ? 1 : 0;
        } else {
          out(formatSummary(result, args.config, args.output));
        }
      },
    )
    .command(
      'stage [models..]',
      "Put each model's files into its build context: link, copy or download them, checking their sha256",
      (y) =>
        y
          .positional('models', { type: 'string', array: true, default: [] as string[], describe: 'Models to stage, as name or namespace/name (default: all)' })
          .option('config', { alias: 'c', type: 'string', default: 'modelcar.yaml', describe: 'The config file', normalize: true })
          .option('output', { alias: 'o', type: 'string', default: 'dist', describe: 'The output folder that holds the build contexts', normalize: true })
          .example('$0 stage -c examples/mobilenet/modelcar.yaml', 'Download the MobileNet model into both build contexts'),
      async (args) => {
        await runStage({ config: args.config, output: args.output, models: args.models ?? [] }, progressOut);
      },
    )
    .command(
      'build [models..]',
      'Build each model image with podman or buildah, reproducibly; with --push, push it and record its digest in the lock file',
      (y) =>
        y
          .positional('models', { type: 'string', array: true, default: [] as string[], describe: 'Models to build, as name or namespace/name (default: all)' })
          .option('config', { alias: 'c', type: 'string', default: 'modelcar.yaml', describe: 'The config file', normalize: true })
          .option('output', { alias: 'o', type: 'string', default: 'dist', describe: 'The output folder that holds the build contexts', normalize: true })
          .option('push', { type: 'boolean', default: false, describe: 'Push each image and record its digest in <config>.lock.yaml; synth then pins storageUri to it' })
          .option('builder', { type: 'string', choices: ['podman', 'buildah'], describe: 'The image builder (default: podman when installed, else buildah)' })
          .option('authfile', { type: 'string', describe: 'Registry credentials: a Docker config JSON or a dockerconfigjson pull secret (default: REGISTRY_AUTH_FILE, else the file podman login writes)', normalize: true })
          .option('tls-verify', { type: 'boolean', default: true, describe: 'Verify the registry\'s TLS certificate; --tls-verify=false for a local registry over plain http' })
          .example('$0 build --push', 'Build every model image, push it, record the digests in modelcar.lock.yaml')
          .example('$0 build mobilenet --builder buildah', 'Build one model with buildah, without pushing'),
      async (args) => {
        await runBuild(
          { config: args.config, output: args.output, models: args.models ?? [], push: args.push, builder: args.builder, authfile: args.authfile, tlsVerify: args['tls-verify'] },
          progressOut,
        );
      },
    )
    .demandCommand(1, 'Name a command: synth, stage or build')
    .strict()
    .recommendCommands()
    .version(version())
    .alias('v', 'version')
    .help()
    .alias('h', 'help')
    .wrap(null)
    .updateStrings({ 'Did you mean %s?': 'Unknown command; did you mean %s?' })
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
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
    if (e instanceof UserError) {
      err(`modelcar: ${e.message}\n`);
      return e.exitCode;
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
