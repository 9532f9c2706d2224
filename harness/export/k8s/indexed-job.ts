import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { Scenario } from '../../scenario/read.ts';
import { k8sName } from '../k6/manifest.ts';

/** Where the pods see the scenario (from a Secret the user creates from the file) and the shared parts. */
export const SCENARIO_MOUNT = '/scenario';
export const PARTS_MOUNT = '/parts';

export interface K8sExportOptions {
  runners: number;
  /** An image with Node.js 20+, `sh` and wsgate on the PATH: wsgate publishes none. */
  image: string;
  /** A ReadWriteMany PersistentVolumeClaim every runner and the merge mount. */
  claimName: string;
  /** The file name the scenario has inside its Secret. */
  scenarioKey: string;
}

/** The manifests of a split run: the runners' Indexed Job, and the merge Job to apply once it is done. */
export interface K8sExport {
  runners: string;
  merge: string;
  /** The names the user creates and waits for, for the instructions. */
  names: { runnersJob: string; mergeJob: string; scenarioSecret: string; envSecret: string; startConfigMap: string };
  /** What the manifests cannot carry, each with the reason. */
  warnings: string[];
}

/**
 * A Kubernetes Indexed Job that runs the scenario as `runners` segments, one pod each (completions =
 * parallelism = runners, the segment from JOB_COMPLETION_INDEX), every pod starting its schedule at
 * the instant in a ConfigMap the user writes just before applying, each writing its summary to a
 * shared volume claim; and a Job that merges the parts and whose exit status is the gate. The
 * scenario and its `${env:}` values come from Secrets the user creates: nothing secret is written.
 */
export function indexedJob(scenario: Scenario, opts: K8sExportOptions): K8sExport {
  const base = k8sName(`wsgate-${scenario.doc.name}`);
  const names = {
    runnersJob: k8sName(`${base}-runners`),
    mergeJob: k8sName(`${base}-merge`),
    scenarioSecret: k8sName(`${base}-scenario`),
    envSecret: k8sName(`${base}-env`),
    startConfigMap: k8sName(`${base}-start`),
  };
  const warnings: string[] = [];
  if (scenario.doc.fixtures)
    warnings.push(
      'the scenario starts the bundled fixtures: every runner would start its own gateway; point its targets at ' +
        'the gateway under test instead',
    );
  if (/\$\{file:[^}]*\//.test(readFileSync(scenario.file, 'utf8')))
    warnings.push(
      `\${file:} references into folders cannot be keys of the scenario Secret (mounted flat at ${SCENARIO_MOUNT}): ` +
        'add those files to the Secret by their base names and refer to them so, or mount them yourself',
    );
  const labels = { 'app.kubernetes.io/managed-by': 'wsgate', 'wsgate/scenario': k8sName(scenario.doc.name) };
  const runFolder = `${PARTS_MOUNT}/$(echo "$WSGATE_START_AT" | tr ':' '-')`;
  const env = [
    { name: 'WSGATE_START_AT', valueFrom: { configMapKeyRef: { name: names.startConfigMap, key: 'startAt' } } },
  ];
  const envFrom = [{ secretRef: { name: names.envSecret, optional: true } }];
  const volumes = [
    { name: 'scenario', secret: { secretName: names.scenarioSecret } },
    { name: 'parts', persistentVolumeClaim: { claimName: opts.claimName } },
  ];
  const volumeMounts = [
    { name: 'scenario', mountPath: SCENARIO_MOUNT, readOnly: true },
    { name: 'parts', mountPath: PARTS_MOUNT },
  ];
  const file = `${SCENARIO_MOUNT}/${opts.scenarioKey}`;
  // Exit 0 or 1 (a check failed in this segment) is a finished part: the merge judges the run.
  // 2 (invalid) and 3 (not carried out) fail the pod, and the merge reports the segment.
  const runnerScript = [
    'set -u',
    'i=$((JOB_COMPLETION_INDEX + 1))',
    `wsgate run ${file} --segment "$i/${opts.runners}" --start-at "$WSGATE_START_AT" --out "${runFolder}/segment-$i"`,
    'code=$?',
    '[ "$code" -le 1 ] || exit "$code"',
  ].join('\n');
  const runnersJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: names.runnersJob, labels },
    spec: {
      completionMode: 'Indexed',
      completions: opts.runners,
      parallelism: opts.runners,
      // A runner that failed is not run again: its segment would then be measured at another time.
      backoffLimit: 0,
      template: {
        metadata: { labels: { ...labels, 'wsgate/role': 'runner' } },
        spec: {
          restartPolicy: 'Never',
          // One runner per node where the cluster allows: each brings its own ports, descriptors and cores.
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: 'kubernetes.io/hostname',
                    labelSelector: { matchLabels: { 'job-name': names.runnersJob } },
                  },
                },
              ],
            },
          },
          containers: [
            {
              name: 'wsgate',
              image: opts.image,
              command: ['sh', '-c', runnerScript],
              env,
              envFrom,
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  const mergeJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: names.mergeJob, labels },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: { ...labels, 'wsgate/role': 'merge' } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'wsgate-merge',
              image: opts.image,
              // Its exit code is the run's: 0 pass, 1 a check or threshold failed, 3 partial.
              command: ['sh', '-c', `run="${runFolder}"\nexec wsgate merge "$run" --out "$run/merged"`],
              env,
              volumeMounts: [{ name: 'parts', mountPath: PARTS_MOUNT }],
            },
          ],
          volumes: [{ name: 'parts', persistentVolumeClaim: { claimName: opts.claimName } }],
        },
      },
    },
  };
  const header = (lines: string[]) => lines.map((l) => `# ${l}`).join('\n');
  const runners = [
    header([
      `wsgate: ${scenario.doc.name} as ${opts.runners} runners (Kubernetes Indexed Job). Provide first:`,
      `  the image ${opts.image}: Node.js 20+, sh and wsgate on the PATH`,
      `  a ReadWriteMany PersistentVolumeClaim named ${opts.claimName}, for the runners' parts`,
      `  kubectl create secret generic ${names.scenarioSecret} --from-file=${opts.scenarioKey}=<the scenario file>`,
      `  kubectl create secret generic ${names.envSecret} --from-env-file=<file with its \${env:} values>`,
      `  the start, every runner the same instant, a little ahead so every pod is up by then:`,
      `  kubectl create configmap ${names.startConfigMap} --from-literal=startAt=$(date -u -d '+2 min' ` +
        `+%Y-%m-%dT%H:%M:%SZ) --dry-run=client -o yaml | kubectl apply -f -`,
      `Then: kubectl apply -f <this file>; kubectl wait --for=condition=complete --timeout=30m job/${names.runnersJob}`,
    ]),
    stringify(runnersJob, { lineWidth: 0 }).trimEnd(),
    '',
  ].join('\n');
  const merge = [
    header([
      `wsgate: merge the ${opts.runners} parts of ${scenario.doc.name} once the runners' Job has ended; its exit`,
      `status is the run's gate. kubectl apply -f <this file>; kubectl wait --for=condition=complete job/` +
        `${names.mergeJob}`,
      `The merged report is in the claim ${opts.claimName}, under <start>/merged/.`,
    ]),
    stringify(mergeJob, { lineWidth: 0 }).trimEnd(),
    '',
  ].join('\n');
  return { runners, merge, names, warnings };
}
