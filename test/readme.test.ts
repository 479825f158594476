/**
 * Every command the README shows works as written. Each `modelcar`, `npx` and `npm` command of its code (shell
 * blocks, `$ ` transcripts, the synopsis of the CLI, inline code) names a command and flags that exist (read from
 * `--help`) or a script of package.json. The shell lines that only read or print (synth, synth --check, validate,
 * pull-secret with credentials from the environment, --help) run, whole, with bash, in a folder holding the
 * repository's examples/ and dist/ and the README's own config: they must succeed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { helpCommands, helpFlags } from './support/cli-help';
import { tempDir } from './support/temp';
import { CLI } from './support/spawn';

const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** One command line of the README, and where it is. */
interface Example {
  readonly line: number;
  readonly text: string;
  /** A line of a shell block (run when it is safe), or only shown: a transcript, the synopsis, inline code. */
  readonly shell: boolean;
}

/** The command lines of the README: shell blocks (continued lines joined), `$ ` lines of other blocks, synopsis lines, inline code. */
function examples(text: string): Example[] {
  const found: Example[] = [];
  const lines = text.split('\n');
  let fence: { indent: string; lang: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = /^( *)```(\w*)\s*$/.exec(line);
    if (fence === undefined) {
      if (open) fence = { indent: open[1]!, lang: open[2]! };
      else for (const m of line.matchAll(/`((?:npx )?modelcar [^`]+)`/g)) found.push({ line: i + 1, text: m[1]!, shell: false });
      continue;
    }
    if (line.trim() === '```') {
      fence = undefined;
      continue;
    }
    const content = line.trim();
    if (fence.lang === 'sh') {
      let joined = content;
      const start = i;
      while (joined.endsWith('\\') && i + 1 < lines.length) joined = `${joined.slice(0, -1)} ${lines[++i]!.trim()}`;
      found.push({ line: start + 1, text: joined, shell: true });
    } else if (fence.lang === '' && /^(\$ )?(npx )?modelcar [a-z<-]/.test(content)) {
      found.push({ line: i + 1, text: content.replace(/^\$ /, ''), shell: false });
    }
  }
  return found;
}

/** The commands of a line (split at pipes, `&&`, `||`, `;`), without comments and leading `VAR=value`. */
function commandsOf(text: string): string[][] {
  return text
    .replace(/(^|\s)#.*$/, '')
    .split(/\|\||&&|[|;]/)
    .map((c) => c.trim().split(/\s+/).filter((t) => t !== ''))
    .map((tokens) => {
      while (tokens.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(tokens[0]!)) tokens.shift();
      return tokens;
    })
    .filter((tokens) => tokens.length > 0);
}

/** What modelcar knows: its commands, and the flags of each (long and one-letter; '' for the top level). */
interface Known {
  readonly commands: readonly string[];
  readonly flags: ReadonlyMap<string, readonly string[]>;
}

async function known(): Promise<Known> {
  const commands = await helpCommands();
  const flags = new Map<string, string[]>([['', await helpFlags(undefined, true)]]);
  for (const c of commands) flags.set(c, await helpFlags(c, true));
  return { commands, flags };
}

/** What is wrong with the arguments of a modelcar command as the README writes them (synopsis brackets and `a|b` allowed). */
function modelcarProblems(args: readonly string[], k: Known): string[] {
  const tokens = args.flatMap((a) => a.replace(/^\[+|\]+$/g, '').split('|')).filter((t) => t !== '');
  const command = tokens.find((t) => !t.startsWith('-'));
  const problems: string[] = [];
  const placeholder = command !== undefined && /^<.*>$/.test(command);
  if (command !== undefined && !placeholder && !k.commands.includes(command)) problems.push(`no command "${command}" (modelcar has ${k.commands.join(', ')})`);
  if (problems.length > 0) return problems;
  const allowed = new Set([...k.flags.get('')!, ...((command && k.flags.get(command)) || [])]);
  for (const t of tokens.filter((t) => t.startsWith('-'))) {
    const name = t.replace(/^--?/, '').replace(/=.*$/, '');
    const flag = allowed.has(name) ? name : name.replace(/^no-/, '');
    if (!allowed.has(flag)) problems.push(`no flag ${t.replace(/=.*$/, '')}${command && !placeholder ? ` for ${command}` : ''}`);
  }
  return problems;
}

const NPM_COMMANDS = ['ci', 'install', 'link', 'unlink', 'pack', 'test', 'start', 'run'];

/** What is wrong with an npm or npx command: a script package.json lacks, a bin no package provides, a tarball of another version. */
function npmProblems(tokens: readonly string[]): string[] {
  const [tool, sub, arg] = tokens;
  if (tool === 'npx') return sub === 'modelcar' || fs.existsSync(path.join(ROOT, 'node_modules', '.bin', sub!)) ? [] : [`npx ${sub}: no package here provides it`];
  if (!NPM_COMMANDS.includes(sub!)) return [`npm ${sub}: not a command the README uses (${NPM_COMMANDS.join(', ')})`];
  if (sub === 'run' && !(arg! in PKG.scripts)) return [`npm run ${arg}: package.json has no such script`];
  if ((sub === 'test' || sub === 'start') && !(sub in PKG.scripts)) return [`npm ${sub}: package.json has no ${sub} script`];
  return [];
}

/** The problems of every example, as `README.md:line: example: problem`, and the shell lines safe to run. */
function check(list: readonly Example[], k: Known): { problems: string[]; runnable: Example[] } {
  const problems: string[] = [];
  const runnable: Example[] = [];
  for (const e of list) {
    const commands = commandsOf(e.text);
    let safe = e.shell;
    let modelcar = false;
    for (const tokens of commands) {
      const args = tokens[0] === 'modelcar' ? tokens.slice(1) : tokens[0] === 'npx' && tokens[1] === 'modelcar' ? tokens.slice(2) : undefined;
      const found = args !== undefined ? modelcarProblems(args, k) : tokens[0] === 'npm' || tokens[0] === 'npx' ? npmProblems(tokens) : [];
      problems.push(...found.map((p) => `README.md:${e.line}: ${e.text}: ${p}`));
      if (args !== undefined) {
        modelcar = true;
        const command = args.find((a) => !a.startsWith('-'));
        const readOnly = command === undefined ? args.every((a) => ['--help', '--version'].includes(a)) : ['synth', 'validate', 'pull-secret'].includes(command);
        if (!readOnly || args.includes('--seal-with') || found.length > 0) safe = false;
      } else if (!['printenv', 'oc'].includes(tokens[0]!)) {
        safe = false;
      }
    }
    for (const m of e.text.matchAll(/modelcar-(\d+\.\d+\.\d+[^\s`]*)\.tgz/g)) {
      if (m[1] !== PKG.version) problems.push(`README.md:${e.line}: ${e.text}: npm pack writes modelcar-${PKG.version}.tgz, not modelcar-${m[1]}.tgz`);
    }
    if (safe && modelcar) runnable.push(e);
  }
  return { problems, runnable };
}

/**
 * A folder as a reader of the README has it: the repository's examples/ and dist/, and modelcar.yaml, the bundled
 * example with the README's own `pullSecrets` (its private model pulls with quay-pull); `modelcar`, `npx modelcar`
 * and `oc apply -f -` (which keeps what it is given in oc-applied.yaml) on the PATH.
 */
function sandbox(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir('modelcar-readme-');
  for (const folder of ['examples', 'dist']) fs.cpSync(path.join(ROOT, folder), path.join(dir, folder), { recursive: true });
  const pullSecrets = /```yaml\n(pullSecrets:\n(?:.*\n)*?)```/.exec(README)?.[1];
  if (pullSecrets === undefined) throw new Error('the README has no ```yaml block starting with pullSecrets:, which its pull-secret examples use');
  const example = fs.readFileSync(path.join(ROOT, 'examples', 'mobilenet', 'modelcar.yaml'), 'utf8');
  fs.writeFileSync(path.join(dir, 'modelcar.yaml'), `${example.replace('pullSecret: quay-pull-secret', 'pullSecret: quay-pull')}\n${pullSecrets}`);
  const bin = path.join(dir, '.bin');
  fs.mkdirSync(bin);
  const script = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  script('modelcar', `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"`);
  script('npx', `[ "$1" = modelcar ] || { echo "npx $1: not in this test" >&2; exit 127; }\nshift\nexec modelcar "$@"`);
  script('oc', `[ "$*" = "apply -f -" ] || { echo "oc $*: not in this test" >&2; exit 127; }\ncat >> ${JSON.stringify(path.join(dir, 'oc-applied.yaml'))}`);
  // The credentials a reader has exported for the examples that read them.
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, QUAY_USERNAME: 'robot', QUAY_TOKEN: 'quay-token', TOKEN: 'registry-token' };
  return { dir, env };
}

describe('the README', () => {
  let k: Known;
  let list: Example[];

  beforeAll(async () => {
    k = await known();
    list = examples(README);
  });

  test('GIVEN a README with a mistyped command, flag, script or tarball THEN each is named', () => {
    const bad = examples(
      [
        '```sh',
        'modelcar synth --chek   # a comment --not-a-flag',
        'QUAY_TOKEN=x modelcar synht -c a.yaml | oc apply -f -',
        'npm run nope && npm start',
        'npx modelcar validate --strict',
        'npm install -g ./modelcar-9.9.9.tgz   # from npm pack',
        '```',
        'Run `modelcar build [model...] [--push] [--buildr podman|buildah]` for images.',
        '```',
        '$ modelcar pull-secret x --password-stdinn',
        'modelcar stage [model...] [-c modelcar.yaml] [-x]',
        '```',
      ].join('\n'),
    );
    expect(check(bad, k).problems).toStrictEqual([
      'README.md:2: modelcar synth --chek   # a comment --not-a-flag: no flag --chek for synth',
      'README.md:3: QUAY_TOKEN=x modelcar synht -c a.yaml | oc apply -f -: no command "synht" (modelcar has synth, pull-secret, validate, stage, build, pin, init)',
      'README.md:4: npm run nope && npm start: npm run nope: package.json has no such script',
      'README.md:5: npx modelcar validate --strict: no flag --strict for validate',
      `README.md:6: npm install -g ./modelcar-9.9.9.tgz   # from npm pack: npm pack writes modelcar-${PKG.version}.tgz, not modelcar-9.9.9.tgz`,
      'README.md:8: modelcar build [model...] [--push] [--buildr podman|buildah]: no flag --buildr for build',
      'README.md:10: modelcar pull-secret x --password-stdinn: no flag --password-stdinn for pull-secret',
      'README.md:11: modelcar stage [model...] [-c modelcar.yaml] [-x]: no flag -x for stage',
    ]);
    expect(check(bad, k).runnable).toStrictEqual([]);
  });

  test('GIVEN every command the README shows THEN its command, flags, npm scripts and tarball name exist', () => {
    const { problems } = check(list, k);
    expect(problems).toStrictEqual([]);
    // The README's synopsis, transcripts and shell blocks were all found.
    expect({
      shown: list.filter((e) => !e.shell && e.text.startsWith('modelcar ')).length >= 10,
      shell: list.filter((e) => e.shell && commandsOf(e.text).some((c) => c[0] === 'modelcar')).length >= 5,
      npm: list.filter((e) => e.shell && /^npm /.test(e.text)).length >= 4,
    }).toStrictEqual({ shown: true, shell: true, npm: true });
  });

  test('GIVEN the shell lines that read or print THEN each runs as written and succeeds', () => {
    const { runnable } = check(list, k);
    expect(runnable.length).toBeGreaterThanOrEqual(5);
    const results = runnable.map((e) => {
      const { dir, env } = sandbox();
      const r = spawnSync('bash', ['-o', 'pipefail', '-c', e.text], { cwd: dir, env, encoding: 'utf8' });
      const applied = fs.existsSync(path.join(dir, 'oc-applied.yaml')) ? YAML.parseAllDocuments(fs.readFileSync(path.join(dir, 'oc-applied.yaml'), 'utf8')).map((d) => d.toJS()) : [];
      return { example: `README.md:${e.line}: ${e.text}`, status: r.status, stderr: r.stderr.replace(/^modelcar: warning: .*\n/gm, ''), applied: applied.map((o) => `${o.kind} ${o.type}`) };
    });
    expect(results).toStrictEqual(
      results.map((r) => ({ ...r, status: 0, stderr: '', applied: r.example.includes('| oc apply -f -') ? r.applied.map(() => 'Secret kubernetes.io/dockerconfigjson') : [] })),
    );
    // Those that pipe into `oc apply -f -` gave it pull secrets.
    expect(results.filter((r) => r.example.includes('| oc apply -f -')).every((r) => r.applied.length > 0)).toBe(true);
  });
});
