/**
 * The test environment of every test file: Node's, with a temporary folder of the file's own. `os.tmpdir()` in the
 * file's tests, and in every process they start, is that folder. After the file's last hook, the folders its tests
 * made with tempDir() are removed; whatever else is left stays, and the run fails naming it (hermetic.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import NodeEnvironment from 'jest-environment-node';
import { RUN_VARIABLE, removeTree } from './hermetic';
import { TEMP_DIRS } from './temp';

export default class TestEnvironment extends NodeEnvironment {
  private readonly runTmp: string;
  private readonly fileTmp: string;

  constructor(...[config, context]: ConstructorParameters<typeof NodeEnvironment>) {
    const run = process.env[RUN_VARIABLE];
    if (run === undefined) throw new Error(`${RUN_VARIABLE} is not set: run the tests with \`npm test\` or \`npx jest\`, whose configuration (package.json) prepares the run`);
    const runTmp = path.join(run, 'tmp');
    const fileTmp = fs.mkdtempSync(path.join(runTmp, `${path.basename(context.testPath).replace(/\.test\.ts$/, '')}-`));
    // This worker's own environment, which the test's `process.env` copies and its child processes inherit.
    process.env.TMPDIR = fileTmp;
    super(config, context);
    this.runTmp = runTmp;
    this.fileTmp = fileTmp;
  }

  override async teardown(): Promise<void> {
    const made = (this.global as unknown as Record<symbol, string[] | undefined>)[TEMP_DIRS] ?? [];
    for (const dir of made) removeTree(dir);
    process.env.TMPDIR = this.runTmp;
    if (fs.readdirSync(this.fileTmp).length === 0) fs.rmdirSync(this.fileTmp);
    await super.teardown();
  }
}
