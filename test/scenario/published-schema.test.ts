import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonSchemaText } from '../../harness/cli/commands/schema.ts';
import { readScenario } from '../../harness/scenario/read.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

test('wsgate.schema.json is the schema the code validates with (run `npm run schema` after changing it)', () => {
  assert.equal(readFileSync(join(ROOT, 'wsgate.schema.json'), 'utf8'), jsonSchemaText());
});

test('every scenario shipped in scenarios/ is valid as it is', () => {
  const files = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));
  assert.ok(
    files.includes('quickstart.yaml') && files.includes('api-connect.yaml'),
    `scenarios/ holds ${files.join(', ')}`,
  );
  for (const f of files) assert.doesNotThrow(() => readScenario(join(ROOT, 'scenarios', f)), f);
});
