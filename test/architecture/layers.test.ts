import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkArchitecture, formatViolations } from '../../tools/architecture.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'wsgate-architecture-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('imports go down the layers without cycles, and no line is over 120 characters', () => {
  const violations = checkArchitecture(ROOT);
  assert.deepEqual(violations, [], formatViolations(ROOT, violations));
});

test('the check catches an upward import, a sibling import, a cycle, a fixture import and a long line', () => {
  const copy = join(scratch, 'repo');
  cpSync(join(ROOT, 'harness'), join(copy, 'harness'), { recursive: true });
  cpSync(join(ROOT, 'fixtures'), join(copy, 'fixtures'), { recursive: true });
  writeFileSync(
    join(copy, 'harness/model/up.ts'),
    "import { runPhases } from '../run/run.ts';\nexport const x = runPhases;\n",
  );
  writeFileSync(
    join(copy, 'harness/load/side.ts'),
    "import { runSecurity } from '../security/suite.ts';\nexport const y = runSecurity;\n",
  );
  writeFileSync(join(copy, 'harness/stats/a.ts'), "import { b } from './b.ts';\nexport const a = () => b;\n");
  writeFileSync(join(copy, 'harness/stats/b.ts'), "import { a } from './a.ts';\nexport const b = () => a;\n");
  writeFileSync(
    join(copy, 'fixtures/peek.ts'),
    "import { HDR } from '../harness/model/histogram.ts';\nexport const z = HDR;\n",
  );
  writeFileSync(join(copy, 'harness/model/long.ts'), `export const long = '${'x'.repeat(130)}';\n`);
  const found = checkArchitecture(copy).map((v) => `${v.file}:${v.rule}`);
  for (const want of [
    'harness/model/up.ts:layer',
    'harness/load/side.ts:sibling',
    'fixtures/peek.ts:boundary',
    'harness/model/long.ts:line-length',
  ]) {
    assert.ok(found.includes(want), `${want} not in ${found.join(', ')}`);
  }
  assert.ok(
    found.some((f) => /^harness\/stats\/[ab]\.ts:cycle$/.test(f)),
    found.join(', '),
  );
});
