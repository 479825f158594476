import { execFileSync } from 'child_process';

/**
 * Returns the absolute path of a command the test needs, or throws with the command that installs it.
 * Tests never skip silently when a tool is missing: they fail and say how to get it.
 */
export function requireTool(command: string, install: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`this test needs \`${command}\`, which is not installed: ${install}`);
  }
}
