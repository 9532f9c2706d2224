import type { Command } from 'commander';
import { addRunCommand } from './run-like.ts';

/** `wsgate probe <scenario>`: the security probes only (fail closed, bypass attempts, caching, leaks). */
export function registerProbe(program: Command): void {
  addRunCommand(
    program,
    'probe',
    'Security probes only: fail closed under auth faults, bypass attempts, decision caching, leaks',
    `Each probe runs against every target and says what it sent, what a safe gateway does and what was seen.
The scenario's security: block picks probes (probes:, skip:), the allowed and denied reference sets
(allowed:, denied:; default the first set expecting 200 and the first expecting 401) and the gateway's
auth timeout (authTimeout:). Fail-closed probes need authService.control or authService.hooks;
without them they are reported as not run, with the reason.`,
  );
}
