/**
 * The cdk8s app of this repository (cdk8s.yaml `app`): synthesizes the bundled MobileNet example with modelcar's
 * writer, so that `npx cdk8s synth` writes the same dist/ as `npm start`, with the same safety: only the files
 * modelcar wrote are changed or removed; staged model files and files added by hand stay.
 *
 * cdk8s-cli deletes its own output folder before it runs the app (see ../pipeline/cdk8s-cli.ts), so cdk8s.yaml gives
 * it `output: cdk8s.out`, which gets a copy of the objects; dist/ is written here. `cdk8s synth -o DIR` writes into DIR.
 * cdk8s-cli keeps the app's stdout to itself: the summary goes to stderr.
 */
import * as path from 'path';
import { sourceName, synthesizeConfigFile } from '../pipeline/synthesize';
import { cdk8sOutput, writeCdk8sManifests } from '../pipeline/cdk8s-cli';
import { formatSummary, formatWarnings } from './synth-command';
import { UserError } from '../core/errors';

const root = path.resolve(__dirname, '..', '..', '..');
const config = path.relative(process.cwd(), path.join(root, 'examples', 'mobilenet', 'modelcar.yaml'));
const target = cdk8sOutput('dist');
const print = (text: string) => (process.env.CDK8S_OUTDIR ? process.stderr : process.stdout).write(text);
try {
  for (const warning of target.warnings) process.stderr.write(`modelcar: warning: ${warning}\n`);
  const result = synthesizeConfigFile({ config, outdir: target.outdir });
  process.stderr.write(formatWarnings(result));
  if (target.cdk8sOutdir) writeCdk8sManifests(target.cdk8sOutdir, result.output, sourceName(config, path.resolve(target.outdir)));
  print(formatSummary(result, config, target.outdir));
} catch (e) {
  if (!UserError.isUserError(e)) throw e;
  process.stderr.write(`modelcar: ${e.message}\n`);
  process.exitCode = e.exitCode;
}
