/**
 * Where one `modelcar synth` spends its time, phase by phase, without a profiler's overhead: it loads the
 * compiled library (timing each require) and runs the steps of `synthesizeConfigFile()` one by one on a generated config.
 * It calls internal functions (lib/src/...), so it follows their shape as the code changes.
 *
 *   node --expose-gc lib/bench/phases.js MODELS PER_NAMESPACE     e.g. 5000 10
 *
 * With --expose-gc, it also collects garbage after each step and reports the heap still in use: what each
 * step keeps alive.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeSynthConfig } from './generate';

const ROOT = path.resolve(__dirname, '..', '..');
const rows: [string, number, number | undefined][] = [];
const gc = (globalThis as { gc?: () => void }).gc;
const started = process.hrtime.bigint();

function timed<T>(name: string, f: () => T): T {
  const start = process.hrtime.bigint();
  const result = f();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  gc?.();
  rows.push([name, ms, gc ? process.memoryUsage().heapUsed / 1e6 : undefined]);
  return result;
}

function main(): void {
  const [models, perNamespace] = process.argv.slice(2).map(Number);
  if (!(models > 0 && perNamespace > 0)) throw new Error('usage: phases.js MODELS PER_NAMESPACE');
  const tmp = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'modelcar-phases-'));
  try {
    const config = path.join(tmp, 'modelcar.yaml');
    writeSynthConfig(config, models, perNamespace);
    const outdir = path.join(tmp, 'dist');
    const lib = (p: string) => path.join(ROOT, 'lib', p);

    const cdk8s = timed('require cdk8s', () => require('cdk8s') as typeof import('cdk8s'));
    timed('require yaml', () => require('yaml'));
    timed('require yargs', () => require('yargs'));
    timed('require lib/imports/k8s', () => require(lib('imports/k8s')));
    timed('require lib/imports/kserve-isvc (InferenceService: 1.8 MB of JS)', () => require(lib('imports/kserve-isvc-serving.kserve.io')));
    timed('require lib/imports/kserve-sr (ServingRuntime)', () => require(lib('imports/kserve-sr-serving.kserve.io')));
    const load = timed('require lib/src/config/load', () => require(lib('src/config/load')) as typeof import('../lib/src/config/load.js'));
    timed('require lib/src/pipeline/synthesize (and the rest of modelcar)', () => require(lib('src/pipeline/synthesize')));
    const translate = require(lib('src/config/translate/translate')) as typeof import('../lib/src/config/translate/translate.js');
    const manifests = require(lib('src/output/manifests')) as typeof import('../lib/src/output/manifests.js');
    const writer = require(lib('src/output/writer')) as typeof import('../lib/src/output/writer.js');
    const { ApiObject } = cdk8s;

    const loaded = timed('loadConfig: read, parse (yaml parseDocument), check (the precompiled schema validator)', () => load.loadConfig(config));
    const app = new cdk8s.App({ outdir });
    const chart = new cdk8s.Chart(app, 'modelcar', { disableResourceNameHashes: true });
    timed('translateConfig: domain checks and constructs', () => translate.translateConfig(chart, loaded));
    const all = timed('construct tree: node.findAll()', () => chart.node.findAll());
    timed('construct tree: node.validate() of each', () => all.forEach((c) => c.node.validate()));
    const objects = all.filter((c): c is InstanceType<typeof ApiObject> => c instanceof ApiObject);
    timed(`ApiObject.toJson() of ${objects.length} objects`, () => objects.forEach((o) => o.toJson()));
    const context = { source: 'modelcar.yaml', outdir };
    const output = timed('renderTree (all of the above again, then the YAML writer and build contexts)', () => manifests.renderTree(chart, context));
    timed(`of which: toYaml of ${output.objects.length} objects (again)`, () => output.objects.forEach((o) => manifests.toYaml(o.json)));
    const validation = require(lib('src/validation/validate-output')) as typeof import('../lib/src/validation/validate-output.js');
    timed(`validateOutput: the ${output.objects.length} objects against their schemas`, () => validation.validateOutput(output.files, 'dist'));
    timed(`writeOutput: ${output.files.length} files into an empty folder`, () => writer.writeOutput(outdir, output.files));
    timed(`writeOutput: the same files again (all unchanged)`, () => writer.writeOutput(outdir, output.files));
    timed(`planOutput (synth --check): all unchanged`, () => writer.planOutput(outdir, output.files));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const total = Number(process.hrtime.bigint() - started) / 1e6;
  const mem = process.memoryUsage();
  process.stdout.write(
    [
      `synth phases, ${process.argv[2]} models, ${process.argv[3]} per namespace (node ${process.version}; each step timed once, in order, in one process)`,
      '',
      '| ms | heap in use after (MB) | step |',
      '|---:|---:|---|',
      ...rows.map(([name, ms, heap]) => `| ${ms.toFixed(0)} | ${heap === undefined ? '(--expose-gc)' : heap.toFixed(0)} | ${name} |`),
      `| ${total.toFixed(0)} | | all of this process (the steps overlap: renderTree redoes the three before it${gc ? '; the time includes the collections' : ''}) |`,
      '',
      `heap used at the end ${(mem.heapUsed / 1e6).toFixed(0)} MB, RSS ${(mem.rss / 1e6).toFixed(0)} MB, peak RSS ${(process.resourceUsage().maxRSS / 1e3).toFixed(0)} MB`,
      '',
    ].join('\n'),
  );
}

main();
