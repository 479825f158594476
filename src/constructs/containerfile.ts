/**
 * A Containerfile (Dockerfile) as an ordered list of typed instructions, rendered once to text.
 *
 * @see https://github.com/containers/common/blob/main/docs/Containerfile.5.md
 */

/** A label value taken from a build argument (`${NAME}`), instead of literal text. */
export interface ArgValue {
  /** The build argument's name; it must be declared with {@link Containerfile.arg} in the same stage. */
  readonly arg: string;
}

/** One line (or comment) of a Containerfile. */
export type Instruction =
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'arg'; readonly name: string; readonly defaultValue?: string }
  | { readonly kind: 'from'; readonly image: string }
  | { readonly kind: 'copy'; readonly sources: readonly string[]; readonly destination: string; readonly chown?: string; readonly chmod?: string }
  | { readonly kind: 'run'; readonly command: string }
  | { readonly kind: 'user'; readonly user: string }
  | { readonly kind: 'entrypoint'; readonly command: readonly string[] }
  | { readonly kind: 'label'; readonly labels: Readonly<Record<string, string | ArgValue>> };

const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Builds a Containerfile from typed instructions. */
export class Containerfile {
  private readonly instructions: Instruction[] = [];

  /** Adds a `# comment` line (each line of `text` gets its own `#`). */
  public comment(text: string): this {
    return this.push({ kind: 'comment', text });
  }

  /**
   * `ARG name[=default]`. Before the first FROM it can be used in FROM (`FROM ${name}`); to use it after FROM,
   * declare it again there without a default.
   */
  public arg(name: string, defaultValue?: string): this {
    if (!ARG_NAME.test(name)) throw new Error(`Containerfile ARG: "${name}" is not a valid name (letters, digits and _, not starting with a digit)`);
    if (defaultValue !== undefined && /\s/.test(defaultValue)) throw new Error(`Containerfile ARG ${name}: the default ${JSON.stringify(defaultValue)} must not contain whitespace`);
    return this.push({ kind: 'arg', name, defaultValue });
  }

  /** `FROM image`; `image` may be `${NAME}` for an ARG declared before. */
  public from(image: string): this {
    return this.push({ kind: 'from', image });
  }

  /** `COPY [--chown=..] [--chmod=..] sources... destination` */
  public copy(sources: readonly string[], destination: string, options: { chown?: string; chmod?: string } = {}): this {
    if (sources.length === 0) throw new Error('Containerfile COPY: needs at least one source');
    return this.push({ kind: 'copy', sources, destination, ...options });
  }

  /** `RUN command` (shell form) */
  public run(command: string): this {
    return this.push({ kind: 'run', command });
  }

  /** `USER user` */
  public user(user: string): this {
    return this.push({ kind: 'user', user });
  }

  /** `ENTRYPOINT [...]` (exec form); `[]` clears an entrypoint inherited from the base image. */
  public entrypoint(command: readonly string[]): this {
    return this.push({ kind: 'entrypoint', command });
  }

  /**
   * `LABEL "key"="value" ...`, keys sorted. Values are literal text (`$` is escaped), or `{ arg: NAME }` for the
   * value of a build argument.
   */
  public label(labels: Readonly<Record<string, string | ArgValue>>): this {
    for (const [key, value] of Object.entries(labels)) {
      const text = typeof value === 'string' ? value : value.arg;
      if (/[\0-\x1f\x7f]/.test(key) || /[\0-\x1f\x7f]/.test(text)) {
        throw new Error(`Containerfile LABEL ${JSON.stringify(key)}: control characters (line breaks, tabs) are not allowed in ${JSON.stringify(text)}`);
      }
      if (typeof value !== 'string' && !ARG_NAME.test(value.arg)) throw new Error(`Containerfile LABEL ${JSON.stringify(key)}: "${value.arg}" is not a valid ARG name`);
    }
    return this.push({ kind: 'label', labels });
  }

  /** The instructions, in order. */
  public get lines(): readonly Instruction[] {
    return this.instructions;
  }

  /** The Containerfile text, ending with a newline. */
  public render(): string {
    return this.instructions.map(renderInstruction).join('\n') + '\n';
  }

  private push(instruction: Instruction): this {
    for (const value of Object.values(instruction)) {
      if (typeof value === 'string' && instruction.kind !== 'comment' && /[\r\n]/.test(value)) {
        throw new Error(`Containerfile ${instruction.kind.toUpperCase()}: line breaks are not allowed in ${JSON.stringify(value)}`);
      }
    }
    this.instructions.push(instruction);
    return this;
  }
}

/** A JSON string with `$` escaped, so that the builder does not expand variables in it. */
function literal(value: string): string {
  return JSON.stringify(value).replace(/\$/g, '\\$');
}

function renderInstruction(i: Instruction): string {
  switch (i.kind) {
    case 'comment':
      return i.text.split('\n').map((line) => (line ? `# ${line}` : '#')).join('\n');
    case 'arg':
      return i.defaultValue === undefined ? `ARG ${i.name}` : `ARG ${i.name}=${i.defaultValue}`;
    case 'from':
      return `FROM ${i.image}`;
    case 'copy': {
      const flags = [i.chown && `--chown=${i.chown}`, i.chmod && `--chmod=${i.chmod}`].filter(Boolean);
      const paths = [...i.sources, i.destination];
      // The JSON form keeps paths with spaces or quotes intact; `$` is escaped there, since COPY expands variables.
      const args = paths.some((p) => /[\s"'\\$]/.test(p)) ? `[${paths.map(literal).join(',')}]` : paths.join(' ');
      return ['COPY', ...flags, args].join(' ');
    }
    case 'run':
      return `RUN ${i.command}`;
    case 'user':
      return `USER ${i.user}`;
    case 'entrypoint':
      return `ENTRYPOINT ${JSON.stringify(i.command)}`;
    case 'label':
      return (
        'LABEL ' +
        Object.keys(i.labels)
          .sort()
          .map((k) => {
            const v = i.labels[k];
            return `${JSON.stringify(k)}=${typeof v === 'string' ? literal(v) : `"\${${v.arg}}"`}`;
          })
          .join(' \\\n      ')
      );
  }
}
