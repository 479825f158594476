/**
 * A Containerfile (Dockerfile) as an ordered list of typed instructions, rendered once to text.
 *
 * @see https://github.com/containers/common/blob/main/docs/Containerfile.5.md
 */

/** One line (or comment) of a Containerfile. */
export type Instruction =
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'from'; readonly image: string }
  | { readonly kind: 'copy'; readonly sources: readonly string[]; readonly destination: string; readonly chown?: string; readonly chmod?: string }
  | { readonly kind: 'run'; readonly command: string }
  | { readonly kind: 'user'; readonly user: string }
  | { readonly kind: 'label'; readonly labels: Readonly<Record<string, string>> };

/** Builds a Containerfile from typed instructions. */
export class Containerfile {
  private readonly instructions: Instruction[] = [];

  /** Adds a `# comment` line (each line of `text` gets its own `#`). */
  public comment(text: string): this {
    return this.push({ kind: 'comment', text });
  }

  /** `FROM image` */
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

  /** `LABEL key="value" ...`, keys sorted */
  public label(labels: Readonly<Record<string, string>>): this {
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

function renderInstruction(i: Instruction): string {
  switch (i.kind) {
    case 'comment':
      return i.text.split('\n').map((line) => (line ? `# ${line}` : '#')).join('\n');
    case 'from':
      return `FROM ${i.image}`;
    case 'copy': {
      const flags = [i.chown && `--chown=${i.chown}`, i.chmod && `--chmod=${i.chmod}`].filter(Boolean);
      const paths = [...i.sources, i.destination];
      // The JSON form keeps paths with spaces or quotes intact.
      const args = paths.some((p) => /[\s"'\\]/.test(p)) ? JSON.stringify(paths) : paths.join(' ');
      return ['COPY', ...flags, args].join(' ');
    }
    case 'run':
      return `RUN ${i.command}`;
    case 'user':
      return `USER ${i.user}`;
    case 'label':
      return (
        'LABEL ' +
        Object.keys(i.labels)
          .sort()
          .map((k) => `${JSON.stringify(k)}=${JSON.stringify(i.labels[k])}`)
          .join(' \\\n      ')
      );
  }
}
