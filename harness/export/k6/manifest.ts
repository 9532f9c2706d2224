import { stringify } from 'yaml';

/** Where the runners write their k6 JSON output inside their pods. */
export const RESULTS_MOUNT = '/results';

/** A Kubernetes object name from a scenario name: lower case, dashes, at most 63 characters. */
export function k8sName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/**
 * A ConfigMap holding the script and a k6-operator TestRun that runs it with `parallelism` runners.
 * Credential values come from a Secret (created by the user, never written here) through envFrom.
 * Every runner writes k6's JSON output (gzipped, named after its pod) to a volume claim the user
 * provides, so `wsgate import k6` can merge them and judge the thresholds once.
 */
export function testRunManifest(opts: {
  name: string;
  scriptFile: string;
  script: string;
  parallelism: number;
  secretName: string;
  /** A ReadWriteMany PersistentVolumeClaim the runners write their results to. */
  claimName: string;
}): string {
  const name = k8sName(`wsgate-${opts.name}`);
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'wsgate' } },
    data: { [opts.scriptFile]: opts.script },
  };
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'wsgate' } },
    spec: {
      parallelism: opts.parallelism,
      script: { configMap: { name, file: opts.scriptFile } },
      // The kubelet expands $(POD_NAME): one output file per runner on the shared volume.
      arguments: `--tag testid=${name} --out json=${RESULTS_MOUNT}/$(POD_NAME).json.gz`,
      runner: {
        envFrom: [{ secretRef: { name: opts.secretName } }],
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        volumes: [{ name: 'wsgate-results', persistentVolumeClaim: { claimName: opts.claimName } }],
        volumeMounts: [{ name: 'wsgate-results', mountPath: RESULTS_MOUNT }],
        // grafana/k6 runs as user 12345: the volume's files must be writable by its group.
        securityContext: { fsGroup: 12345 },
      },
    },
  };
  return [
    `# k6-operator: kubectl create secret generic ${opts.secretName} --from-env-file=<file with the WSGATE_* ` +
      `variables>`,
    `#              a ReadWriteMany PersistentVolumeClaim named ${opts.claimName} (the runners' k6 JSON output)`,
    `#              kubectl apply -f <this file>`,
    `# Afterwards:  wsgate import k6 <the claim's ${name}-*.json.gz files> --scenario <scenario>`,
    stringify(configMap, { lineWidth: 0 }).trimEnd(),
    '---',
    stringify(testRun, { lineWidth: 0 }).trimEnd(),
    '',
  ].join('\n');
}
