/** jest's globalTeardown: fails the run when a test file left temporary files, and removes the run's folders (hermetic.ts). */
import { finishRun } from './hermetic';

export default function runTeardown(): void {
  finishRun();
}
