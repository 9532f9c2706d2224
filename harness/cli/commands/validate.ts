import type { Command } from 'commander';
import { buildPlan } from '../../plan/plan.ts';
import { PHASES } from '../../run/phase.ts';
import { loadScenario } from '../../scenario/read.ts';

/**
 * Stand-ins for `${fixture:…}` URLs, which only exist once fixtures run: any name resolves, to a
 * ws:// URL for gateways and an http:// one for the rest, so the plan can be built and checked.
 */
const PLACEHOLDER_FIXTURES: Record<string, string> = new Proxy(
  {},
  { get: (_t, name) => (typeof name === 'string' && (name === 'gateway' || name.startsWith('gateway.') || name === 'backend') ? 'ws://127.0.0.1:9' : 'http://127.0.0.1:9/placeholder') },
);

/** `wsgate validate`: parse and check scenario files without touching any target. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Check scenario files (syntax, schema, env vars, files, thresholds, block references) without running them')
    .argument('<scenario...>', 'scenario files (YAML)')
    .addHelpText('after', '\nErrors name file:line:column and the field; exit code 2 when any file is invalid.\nNothing is contacted: no fixture starts, no target is connected to.')
    .action(async (files: string[]) => {
      for (const file of files) {
        const s = loadScenario(file);
        const plan = await buildPlan(s, s.doc.fixtures ? PLACEHOLDER_FIXTURES : {});
        // Each phase validates its own block when asked whether it runs; `probe` is asked too, for that check.
        const phases = PHASES.filter((p) => p.enabled(plan, 'run')).map((p) => p.name);
        for (const p of PHASES) p.enabled(plan, 'probe');
        process.stdout.write(`${file}: ok (${s.doc.targets.length} target(s), ${s.doc.credentials.length} credential set(s); \`run\` does: ${phases.join(', ')})\n`);
      }
    });
}
