/**
 * The command line itself (src/cli/main.ts): usage errors name what was mistyped and what was meant, for flags as
 * for commands, and exit 2.
 */
import { helpFlags } from '../support/cli-help';
import { cli } from '../support/project';

const USAGE = 'Run `modelcar --help` for usage.\n';
const COMMANDS = ['synth', 'validate', 'stage', 'build', 'pin', 'init', 'pull-secret'];

describe('a mistyped flag', () => {
  test('GIVEN synth --chek THEN "did you mean --check?", exit 2, nothing on stdout', async () => {
    expect(await cli(['synth', '--chek'])).toStrictEqual({ code: 2, out: '', err: `modelcar: Unknown argument: chek (did you mean --check?)\n${USAGE}` });
  });

  test('GIVEN several mistyped flags THEN one suggestion each, in the order given; a kebab-case flag is named once, as written', async () => {
    expect(await cli(['synth', '--chek', '--outptu', 'x'])).toStrictEqual({
      code: 2,
      out: '',
      err: `modelcar: Unknown arguments: chek (did you mean --check?), outptu (did you mean --output?)\n${USAGE}`,
    });
    expect((await cli(['pull-secret', 'p', '--out-dirr', 'x', '--usernameEnvv', 'U', '--no-password-stdinn'])).err).toBe(
      `modelcar: Unknown arguments: out-dirr (did you mean --out-dir?), usernameEnvv (did you mean --username-env?), password-stdinn (did you mean --no-password-stdin?)\n${USAGE}`,
    );
  });

  test('GIVEN a flag with a value (--flag=value) or a mistyped --help THEN the suggestion too', async () => {
    expect((await cli(['build', '--tls-verfy=false'])).err).toBe(`modelcar: Unknown argument: tls-verfy (did you mean --tls-verify?)\n${USAGE}`);
    expect((await cli(['validate', '--hepl'])).err).toBe(`modelcar: Unknown argument: hepl (did you mean --help?)\n${USAGE}`);
  });

  test('GIVEN a mistyped flag and no command THEN the flag is named, not "name a command"', async () => {
    expect(await cli(['--verison'])).toStrictEqual({ code: 2, out: '', err: `modelcar: Unknown argument: verison (did you mean --version?)\n${USAGE}` });
    expect((await cli([])).err).toBe(`modelcar: Name a command: synth, validate, stage, build, pin, init, pull-secret\n${USAGE}`);
  });

  test('GIVEN a flag of another command, an unknown one-letter flag, a stray argument or nothing close THEN no suggestion', async () => {
    expect((await cli(['stage', '--check'])).err).toBe(`modelcar: Unknown argument: check\n${USAGE}`);
    expect((await cli(['synth', '-x'])).err).toBe(`modelcar: Unknown argument: x\n${USAGE}`);
    expect((await cli(['synth', 'extra'])).err).toBe(`modelcar: Unknown argument: extra\n${USAGE}`);
    expect((await cli(['synth', '--frobnicate'])).err).toBe(`modelcar: Unknown argument: frobnicate\n${USAGE}`);
  });

  test('the flags of a command are read from its --help', async () => {
    expect(await helpFlags('synth')).toStrictEqual(['config', 'output', 'check', 'version', 'help']);
  });

  test.each(COMMANDS)('GIVEN any flag of %s with its last letter doubled THEN the suggestion is that flag', async (command) => {
    const flags = await helpFlags(command);
    expect(flags).toEqual(expect.arrayContaining(['help', 'version']));
    for (const flag of flags) {
      const typo = `${flag}${flag.at(-1)}`;
      expect({ flag, err: (await cli([command, `--${typo}`])).err }).toStrictEqual({ flag, err: `modelcar: Unknown argument: ${typo} (did you mean --${flag}?)\n${USAGE}` });
    }
  });
});
