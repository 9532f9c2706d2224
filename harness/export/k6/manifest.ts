import { stringify } from 'yaml';

/**
 * A ConfigMap holding the script and a k6-operator TestRun that runs it with `parallelism` runners.
 * Credential values come from a Secret (created by the user, never written here) through envFrom.
 */
export function testRunManifest(opts: {
  name: string;
  scriptFile: string;
  script: string;
  parallelism: number;
  secretName: string;
}): string {
  const name = `wsgate-${opts.name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 63);
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
      arguments: `--tag testid=${name}`,
      runner: { envFrom: [{ secretRef: { name: opts.secretName } }] },
    },
  };
  return [
    `# k6-operator: kubectl create secret generic ${opts.secretName} --from-env-file=<file with the WSGATE_* ` +
      `variables>`,
    `#              kubectl apply -f <this file>`,
    stringify(configMap, { lineWidth: 0 }).trimEnd(),
    '---',
    stringify(testRun, { lineWidth: 0 }).trimEnd(),
    '',
  ].join('\n');
}
