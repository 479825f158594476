/**
 * The cdk8s app of this repository (cdk8s.yaml `app`): synthesizes the bundled MobileNet example, so that
 * `npx cdk8s synth` writes the same dist/ as `npm start`.
 */
import * as path from 'path';
import { synthesizeConfigFile } from '../pipeline/synthesize';
import { formatSummary } from './synth-command';
import { UserError } from '../core/errors';

const root = path.resolve(__dirname, '..', '..', '..');
const config = path.relative(process.cwd(), path.join(root, 'examples', 'mobilenet', 'modelcar.yaml'));
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
try {
  process.stdout.write(formatSummary(synthesizeConfigFile({ config, outdir }), config, outdir));
} catch (e) {
  if (!UserError.isUserError(e)) throw e;
  process.stderr.write(`modelcar: ${e.message}\n`);
  process.exitCode = e.exitCode;
}
