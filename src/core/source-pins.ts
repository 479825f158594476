/**
 * Pins of sources that hold many files: the files of a Hugging Face repository at a commit, and the SHA-256 of each
 * file of a local folder. The lock file next to a config holds them (`modelcar synth` records them); the translation
 * of a config reads them, so that each such file is pinned like a file whose sha256 the config gives.
 */
import { HubSnapshot } from './hub';

/** Where the pins of folder and hub sources come from. */
export interface ISourcePins {
  /** The files of a hub repository at a revision (branch, tag or commit), as recorded; undefined when not recorded. */
  hubSnapshot(repo: string, revision: string): HubSnapshot | undefined;
  /**
   * The SHA-256 of each file of a local folder, by path relative to the folder (with `/`), as recorded; undefined
   * when the folder is not recorded.
   * @param folder the folder, absolute
   */
  folderDigests(folder: string): Readonly<Record<string, string>> | undefined;
  /** Where the pins are kept, for messages (e.g. `modelcar.lock.yaml`). */
  readonly describe: string;
}
