// Mutation testing of the core rules (`npm run test:mutation`): Stryker changes one thing at a time
// in the modules below (a `<=` into `<`, a condition into `true`, a string into '') and runs the
// tests that reach that code; a mutant that no test notices is a hole in the tests.
//
// Runner: @stryker-mutator/tap-runner starts `node <file>` once per test file, so the node:test files
// run as they are (TAP on a pipe) and Stryker's coverage per file picks which files a mutant needs.
// No checker: the TypeScript here is the native v7 compiler, without the JS API the TypeScript
// checker needs; a mutant that does not type-check just runs and is killed or survives.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  checkers: [],
  // Stryker rewrites tsconfig.json's extends/references through the `typescript` JS API, which the
  // native v7 compiler does not have; this tsconfig has neither, so point Stryker at no file at all.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  mutate: [
    'harness/outcome/*.ts',
    'harness/wire/*.ts',
    'harness/results/gate.ts',
    'harness/metrics/latency-recorder.ts',
    'harness/stats/*.ts',
    '!harness/**/*.d.ts',
  ],
  // The unit tests of those modules, bundled once per sandbox by esbuild (tsx's own compiler) into plain
  // ES modules: each mutant then costs a bare `node` start per test file instead of node plus a
  // TypeScript loader. The upgrade clients' socket tests (test/client/) and the statistical coverage
  // test of the bootstrap (test/overhead/bootstrap-coverage.test.ts) are left to `npm test`:
  // instrumented, they take seconds a mutant.
  buildCommand:
    'esbuild test/outcome/*.test.ts test/wire/*.test.ts test/results/*.test.ts test/metrics/*.test.ts ' +
    'test/overhead/bootstrap.test.ts test/overhead/stats.test.ts --bundle --platform=node --format=esm ' +
    '--packages=external --outbase=. --outdir=. --out-extension:.js=.mjs --log-level=warning',
  tap: {
    // Beside their sources in the sandbox: a module that reads ../../package.json (summary.json's
    // version) finds it there too.
    testFiles: ['test/**/*.test.mjs'],
    nodeArgs: [],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 5000,
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 90, low: 80, break: 80 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['reports', 'test-output', 'bench', '.ci'],
};
