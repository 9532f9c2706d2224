import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const WORKER_SOURCE = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
let built: Promise<string> | undefined;

/**
 * The load worker as one plain JavaScript file, bundled with esbuild (which tsx already brings) the
 * first time a run needs it and kept by content hash in the temp folder. A worker started from it
 * loads no TypeScript toolchain: about 60 MB less resident memory per worker than running the
 * sources through tsx, which is what 100,000 held connections on one machine need.
 */
export function workerScript(): Promise<string> {
  built ??= bundleScript(WORKER_SOURCE, 'load-worker');
  return built;
}

/**
 * `entry` and what it imports as one plain ES module in the temp folder, named `<name>-<hash>.mjs`:
 * for processes that must start without the TypeScript toolchain (load workers, bench:engine's
 * clients, whose start-up CPU is part of what they measure).
 */
export async function bundleScript(entry: string, name: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // Bundled CommonJS dependencies (hdr-histogram-js) call require(); give the ESM bundle one.
    banner: {
      js:
        "import { createRequire as __wsgateRequire } from 'node:module'; " +
        'const require = __wsgateRequire(import.meta.url);',
    },
  });
  const code = out.outputFiles[0]!.contents;
  const dir = join(tmpdir(), 'wsgate');
  const file = join(dir, `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed: a worker starting at the same moment never reads half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return file;
}
