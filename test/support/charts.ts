import { Chart, Testing } from 'cdk8s';

/** A fresh Chart in a test App, with the given namespace. */
export function testChart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace, disableResourceNameHashes: true });
}

/** The objects a chart synthesizes, as plain JSON. */
export function objectsOf(chart: Chart): any[] {
  return Testing.synth(chart);
}
