/** jest's globalSetup: the run's hermetic environment (hermetic.ts). */
import { startRun } from './hermetic';

export default function runSetup(): void {
  startRun();
}
