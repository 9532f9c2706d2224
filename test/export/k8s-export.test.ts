import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { readScenario } from '../../harness/scenario/read.ts';
import { runCli } from '../helpers/cli.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const OUT = mkdtempSync(join(tmpdir(), 'wsgate-k8s-'));
after(() => rmSync(OUT, { recursive: true, force: true }));

interface Container {
  image: string;
  command: string[];
  env: Array<{ name: string; valueFrom?: { configMapKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ secretRef: { name: string } }>;
  volumeMounts: Array<{ name: string; mountPath: string }>;
}
interface Job {
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    backoffLimit: number;
    template: {
      spec: {
        containers: Container[];
        volumes: Array<{
          name: string;
          persistentVolumeClaim?: { claimName: string };
          secret?: { secretName: string };
        }>;
      };
    };
  };
}

const jobIn = (file: string): Job => {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  assert.deepEqual(
    docs.map((d) => d.errors.length),
    [0],
  );
  return docs[0]!.toJS() as Job;
};

test('export k8s writes an Indexed Job of N runners sharing one start and one claim, and a merge Job', async () => {
  const file = join(ROOT, 'scenarios/load-reference.yaml');
  const res = await runCli([
    'export',
    'k8s',
    file,
    '--runners',
    '3',
    '--image',
    'registry.example/wsgate:1',
    '-d',
    OUT,
  ]);
  assert.equal(res.code, 0, res.stderr);
  const runners = jobIn(join(OUT, 'load-reference.runners.yaml'));
  const merge = jobIn(join(OUT, 'load-reference.merge.yaml'));
  assert.equal(runners.kind, 'Job');
  assert.equal(runners.spec.completionMode, 'Indexed');
  assert.equal(runners.spec.completions, 3);
  assert.equal(runners.spec.parallelism, 3);
  assert.equal(runners.spec.backoffLimit, 0);
  const c = runners.spec.template.spec.containers[0]!;
  assert.equal(c.image, 'registry.example/wsgate:1');
  assert.deepEqual(c.env[0], {
    name: 'WSGATE_START_AT',
    valueFrom: { configMapKeyRef: { name: 'wsgate-load-reference-start', key: 'startAt' } },
  });
  assert.deepEqual(c.envFrom, [{ secretRef: { name: 'wsgate-load-reference-env', optional: true } }]);
  assert.deepEqual(
    runners.spec.template.spec.volumes.map((v) => v.persistentVolumeClaim?.claimName ?? v.secret?.secretName),
    ['wsgate-load-reference-scenario', 'wsgate-load-reference-parts'],
  );
  const m = merge.spec.template.spec.containers[0]!;
  assert.match(m.command[2]!, /exec wsgate merge "\$run" --out "\$run\/merged"/);
  assert.equal(merge.spec.template.spec.volumes[0]!.persistentVolumeClaim?.claimName, 'wsgate-load-reference-parts');
  // The manifests hold no secret: the scenario comes from a Secret the user creates.
  const text = readFileSync(join(OUT, 'load-reference.runners.yaml'), 'utf8');
  for (const s of readScenario(file).secrets.all()) assert.ok(!text.includes(s), 'a secret in the manifest');

  // The pod's script, run as Kubernetes would (index 1 of 0..2), with a stand-in wsgate that prints its arguments.
  const bin = join(OUT, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'wsgate'), '#!/bin/sh\necho "$@"\nexit "${FAKE_EXIT:-0}"\n');
  chmodSync(join(bin, 'wsgate'), 0o755);
  const pod = (exit: number) =>
    spawnSync('sh', ['-c', c.command[2]!], {
      encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        JOB_COMPLETION_INDEX: '1',
        WSGATE_START_AT: '2026-05-01T10:00:00Z',
        FAKE_EXIT: String(exit),
      },
      timeout: 5000,
    });
  const ok = pod(0);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(
    ok.stdout.trim(),
    'run /scenario/scenario.yaml --segment 2/3 --start-at 2026-05-01T10:00:00Z ' +
      '--out /parts/2026-05-01T10-00-00Z/segment-2',
  );
  // A segment whose checks failed is a finished part (the merge judges); one not carried out fails the pod.
  assert.equal(pod(1).status, 0);
  assert.equal(pod(3).status, 3);
});

test('export k8s needs an image and a sane runner count, and warns of a scenario with its own fixtures', async () => {
  const quickstart = join(ROOT, 'scenarios/quickstart.yaml');
  const noImage = await runCli(['export', 'k8s', quickstart, '-d', OUT]);
  assert.equal(noImage.code, 2);
  assert.match(noImage.stderr, /--image <image>/);
  const zero = await runCli(['export', 'k8s', quickstart, '--image', 'x', '--runners', '0', '-d', OUT]);
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /--runners: expected a whole number from 1 to/);
  const strict = await runCli(['export', 'k8s', quickstart, '--image', 'x', '--strict', '-d', join(OUT, 'strict')]);
  assert.equal(strict.code, 2);
  assert.match(strict.stderr, /starts the bundled fixtures: every runner would start its own gateway/);
});
