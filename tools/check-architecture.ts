/** `npm run lint:architecture`: the rules of tools/architecture.ts, exit 1 with every violation. */
import { fileURLToPath } from 'node:url';
import { checkArchitecture, formatViolations } from './architecture.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const violations = checkArchitecture(root);
if (violations.length > 0) {
  process.stderr.write(`${formatViolations(root, violations)}\n${violations.length} architecture violation(s)\n`);
  process.exitCode = 1;
} else process.stdout.write('architecture: imports go down the layers, no cycles, no line over 120 characters\n');
