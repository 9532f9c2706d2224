import type { Command } from 'commander';
import { parseDuration } from '../../scenario/duration.ts';
import { CliError, EXIT_INVALID, EXIT_NOT_CARRIED_OUT } from '../exit-codes.ts';

interface FixtureFlags {
  gateway: string[];
  authTimeout: string;
  processes: string;
  http2?: boolean;
  variant: string[];
}

/** `wsgate fixtures`: start the bundled systems under test until Ctrl-C. */
export function registerFixtures(program: Command): void {
  program
    .command('fixtures')
    .description(
      'Start the bundled echo backend, auth service and a gateway on loopback; print their URLs; stop on Ctrl-C',
    )
    .option('-g, --gateway <name...>', 'gateway(s) to start: reference, misbehaving, nginx, caddy, haproxy', [
      'reference',
    ])
    .option('--auth-timeout <duration>', 'how long gateways wait for the auth service', '1s')
    .option(
      '-p, --processes <n>',
      'run the echo backend and the reference gateway as n processes sharing one port each (one process holds at ' +
        'most ~19,000 connections here)',
      '1',
    )
    .option('--http2', 'gateways that can (reference, haproxy) also serve WebSockets over HTTP/2 (RFC 8441)')
    .option(
      '--variant <gateway=variant...>',
      'a configuration variant per gateway, e.g. nginx=default-timeouts caddy=no-stream-close-delay',
      [],
    )
    .addHelpText(
      'after',
      `
URLs printed (use them in a scenario, or \${fixture:<name>} with "fixtures: true"):
  gateway           ws:// URL of the gateway (add a path, e.g. /echo)
  gateway.baseline  the same backend through the gateway without auth
  backend           the echo backend directly
  backend.record    GET: connections that reached the backend (?since=N); DELETE clears
  auth              the authorization URL the gateway calls
  auth.control      PUT {"state":"ok|error|hang|down|garbage|slow","latencyMs":N,"errorRate":0.1,
                    "revoked":["<client id|user|JWT sub>"]}
  auth.requests     GET: the requests the auth service got, headers included (?since=N); DELETE clears
  auth.stats        GET: its counters (by status, per second, latency); DELETE zeroes them
  gateway.h2        with --http2: where the gateway serves RFC 8441 WebSockets
Variants: reference default|auth-cache; nginx shipped|default-timeouts|no-shutdown-timeout;
caddy shipped|no-stream-close-delay; haproxy shipped|default-timeouts (README "The bundled fixtures").
Credentials the auth service knows are in fixtures/auth-registry.ts.`,
    )
    .action(async (flags: FixtureFlags) => {
      let authTimeoutMs: number;
      try {
        authTimeoutMs = parseDuration(flags.authTimeout);
      } catch (err) {
        throw new CliError(`--auth-timeout: ${(err as Error).message}`, EXIT_INVALID);
      }
      const processes = Number(flags.processes);
      if (!Number.isInteger(processes) || processes < 1 || processes > 32)
        throw new CliError(`--processes: expected a whole number from 1 to 32, got "${flags.processes}"`, EXIT_INVALID);
      const { startFixtures, GATEWAYS } = await import('../../../fixtures/index.ts');
      const unknown = flags.gateway.filter((g) => !GATEWAYS[g]);
      if (unknown.length > 0)
        throw new CliError(
          `--gateway: unknown ${unknown.join(', ')} (known: ${Object.keys(GATEWAYS).join(', ')})`,
          EXIT_INVALID,
        );
      const variants: Record<string, string> = {};
      for (const v of flags.variant) {
        const [gateway, variant] = v.split('=', 2);
        if (!gateway || !variant)
          throw new CliError(`--variant: expected <gateway>=<variant>, got "${v}"`, EXIT_INVALID);
        variants[gateway] = variant;
      }
      const running = await startFixtures({
        gateways: flags.gateway,
        authTimeoutMs,
        processes,
        http2: flags.http2 === true,
        variants,
      }).catch((err: Error) => {
        throw new CliError(`fixtures could not start: ${err.message}`, EXIT_NOT_CARRIED_OUT);
      });
      const width = Math.max(...Object.keys(running.urls).map((k) => k.length));
      for (const [name, url] of Object.entries(running.urls).sort())
        process.stdout.write(`${name.padEnd(width)}  ${url}\n`);
      process.stderr.write('fixtures running on loopback; Ctrl-C to stop\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.stop();
      process.stderr.write('fixtures stopped\n');
    });
}
