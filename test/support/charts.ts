import { Chart, Testing } from 'cdk8s';
import { tempDir } from './temp';

/** A fresh Chart in a test App, with the given namespace. Its output folder is a temporary one that is removed (cdk8s's own is not). */
export function testChart(namespace?: string): Chart {
  return new Chart(Testing.app({ outdir: tempDir('cdk8s.outdir.') }), 'test', { namespace, disableResourceNameHashes: true });
}

/** The objects a chart synthesizes, as plain JSON. */
export function objectsOf(chart: Chart): any[] {
  return Testing.synth(chart);
}
