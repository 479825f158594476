import { cli } from './project';

/** The commands `modelcar --help` lists. */
export async function helpCommands(): Promise<string[]> {
  const { code, out } = await cli(['--help']);
  if (code !== 0) throw new Error(`modelcar --help exited ${code}`);
  return [...out.matchAll(/^ {2}modelcar ([a-z][a-z-]*)/gm)].map((m) => m[1]!);
}

/** The flags `modelcar [command] --help` lists, as written after the dashes: long ones (`config`) and, with `short`, their one-letter aliases (`c`). */
export async function helpFlags(command?: string, short = false): Promise<string[]> {
  const { code, out } = await cli([...(command ? [command] : []), '--help']);
  if (code !== 0) throw new Error(`modelcar ${command ?? ''} --help exited ${code}`);
  return [...out.matchAll(/^ {2}(?:-(\w), )? *--([a-z][a-z-]+) /gm)].flatMap((m) => (short && m[1] ? [m[2]!, m[1]] : [m[2]!]));
}
