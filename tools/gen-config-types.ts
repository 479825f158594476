/**
 * Generates `src/config/types.generated.ts` from `src/config/modelcar.schema.json`, so the config's
 * TypeScript types and its JSON Schema have one source of truth. Run with `npm run gen`;
 * a test fails when the committed file is stale.
 */
import { promises as fs } from 'fs';
import * as path from 'path';

/** Path of the schema, from the repository root. */
export const SCHEMA_FILE = 'src/config/modelcar.schema.json';
/** Path of the generated types, from the repository root. */
export const TYPES_FILE = 'src/config/types.generated.ts';

/** Renders the TypeScript types for the config schema. */
export async function renderConfigTypes(root: string): Promise<string> {
  // A devDependency: only this build tool loads it, never the CLI.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { compile } = require('json-schema-to-typescript') as typeof import('json-schema-to-typescript');
  const schema = JSON.parse(await fs.readFile(path.join(root, SCHEMA_FILE), 'utf8'));
  const body = await compile(schema, 'ModelcarConfig', {
    bannerComment: '',
    additionalProperties: false,
    style: { singleQuote: true, printWidth: 120 },
  });
  return `// Generated from ${path.basename(SCHEMA_FILE)} by \`npm run gen\`. Do not edit.\n\n${body}`;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  renderConfigTypes(root)
    .then((text) => (process.argv.includes('--stdout') ? void process.stdout.write(text) : fs.writeFile(path.join(root, TYPES_FILE), text)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
