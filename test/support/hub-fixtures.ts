/** Repositories for the fake hub (test/support/hub-server.ts): a small LLM at two commits, a gated one and a private one. */
import { createHash } from 'crypto';
import { FakeRepo } from './hub-server';

const bytes = (seed: string, size: number) => {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
};

export const COMMIT = '3f1e8d2c4b5a69788796a5b4c3d2e1f0a9b8c7d6';
export const OLD_COMMIT = '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567';

/** The files of the LLM at COMMIT: safetensors shards in LFS, config and tokenizer files in git, an `original/` folder. */
export const LLM_FILES: Record<string, Buffer> = {
  '.gitattributes': Buffer.from('*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.pth filter=lfs diff=lfs merge=lfs -text\n'),
  'README.md': Buffer.from('---\nlicense: apache-2.0\n---\n# granite-tiny\n'),
  'config.json': Buffer.from('{"architectures": ["GraniteForCausalLM"], "model_type": "granite", "vocab_size": 49155}\n'),
  'generation_config.json': Buffer.from('{"bos_token_id": 0, "eos_token_id": 0}\n'),
  'tokenizer.json': Buffer.from('{"version": "1.0", "model": {"type": "BPE"}}\n'),
  'tokenizer_config.json': Buffer.from('{"model_max_length": 4096}\n'),
  'model-00001-of-00002.safetensors': bytes('shard-1', 300_000),
  'model-00002-of-00002.safetensors': bytes('shard-2', 120_000),
  'model.safetensors.index.json': Buffer.from('{"metadata": {"total_size": 420000}, "weight_map": {}}\n'),
  'original/consolidated.00.pth': bytes('original', 50_000),
};

/** The LLM one commit earlier: another config. */
export const OLD_LLM_FILES: Record<string, Buffer> = { ...LLM_FILES, 'config.json': Buffer.from('{"architectures": ["GraniteForCausalLM"], "vocab_size": 49152}\n') };

export const LLM: FakeRepo = {
  id: 'ibm-granite/granite-tiny',
  commits: { [COMMIT]: LLM_FILES, [OLD_COMMIT]: OLD_LLM_FILES },
  branches: { main: COMMIT, 'v1.0': OLD_COMMIT },
  lfs: (p) => /\.(safetensors|pth)$/.test(p),
};

export const GATED_COMMIT = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
export const GATED: FakeRepo = {
  id: 'meta-llama/Llama-tiny',
  commits: { [GATED_COMMIT]: { 'config.json': Buffer.from('{"model_type": "llama"}\n'), 'model.safetensors': bytes('llama', 64_000) } },
  lfs: (p) => p.endsWith('.safetensors'),
  gated: true,
  grantedTokens: ['hf_granted_token'],
};

export const PRIVATE: FakeRepo = {
  id: 'acme/internal-model',
  commits: { ['b'.repeat(40)]: { 'config.json': Buffer.from('{}\n') } },
  private: true,
  grantedTokens: ['hf_granted_token'],
};

export const VALID_TOKENS = ['hf_granted_token', 'hf_not_granted_token'];

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
