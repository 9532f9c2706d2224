import { type BackendEntry, headerText } from '../../client/backend-record.ts';
import { confidentialValues } from '../../plan/credentials.ts';
import type { PlannedCredential, PlannedTarget } from '../../plan/plan.ts';
import { DEFAULT_MUST_NOT_SEE } from '../../plan/targets.ts';
import { baseRequest, type HeaderValue, type RawRequest } from '../raw-request.ts';
import { type ProbeContext, type SecurityProbe, sendAll } from '../security-probe.ts';
import type { ProbeAttempt } from '../session.ts';
import { NO_ALLOWED } from './fail-closed.ts';

const NO_RECORD =
  'the target has no backend.record, so what reached the backend cannot be seen (add targets[].backend.record)';

/** Credential sets the gateway must refuse while the auth service is ok. */
const deniedSets = (ctx: ProbeContext) => ctx.plan.credentials.filter((c) => c.expect !== 200 && c.authState === 'ok');
/** Credential sets the gateway must let in while the auth service is ok. */
const allowedSets = (ctx: ProbeContext) => ctx.plan.credentials.filter((c) => c.expect === 200 && c.authState === 'ok');

const mustNotSeeOf = (target: PlannedTarget) => target.backend?.mustNotSee ?? DEFAULT_MUST_NOT_SEE;

const plain = (
  ctx: ProbeContext,
  cred: PlannedCredential | undefined,
  label: string,
  mustBeDenied: boolean,
): ProbeAttempt => ({
  label,
  cred,
  mustBeDenied,
  build: (attemptId) => baseRequest(ctx.target, cred, attemptId),
});

export const leaksDeniedToBackend: SecurityProbe = {
  id: 'leaks.denied-to-backend',
  title: 'Denied attempts never reach the backend',
  sends: 'every credential set the auth service refuses, and a request with no credentials at all',
  safe: 'refuses each one before the backend: the backend record shows none of them',
  async run(ctx) {
    if (!ctx.target.backend) return { attempts: [], reasons: [], notRun: NO_RECORD };
    const specs = [
      ...deniedSets(ctx).map((c) => plain(ctx, c, `credential set ${c.name}`, true)),
      plain(ctx, undefined, 'no credentials', true),
    ];
    const { session, end } = await sendAll(ctx, specs);
    return { attempts: session.attempts, reasons: end.reasons };
  },
};

export const leaksErrorBody: SecurityProbe = {
  id: 'leaks.error-body',
  title: 'Error responses do not echo secrets',
  sends: 'every credential set the auth service refuses, reading the status line, headers and body that come back',
  safe: 'answers denials without repeating any password, token, client secret or API key that was sent',
  async run(ctx) {
    const sets = deniedSets(ctx).filter((c) => confidentialValues(c, mustNotSeeOf(ctx.target)).length > 0);
    if (sets.length === 0)
      return {
        attempts: [],
        reasons: [],
        notRun: 'no refused credential set carries a secret (password, token, client secret, API key) to look for',
      };
    const { session, end } = await sendAll(
      ctx,
      sets.map((c) => plain(ctx, c, `credential set ${c.name}`, true)),
    );
    session.attempts.forEach((a, i) => {
      const secrets = confidentialValues(sets[i]!, mustNotSeeOf(ctx.target));
      const where = [
        ['status line', a.statusLine ?? ''],
        [
          'headers',
          Object.entries(a.headers)
            .map(([k, v]) => `${k}: ${v}`)
            .join('\n'),
        ],
        ['body', a.bodySnippet ?? ''],
      ].filter(([, text]) => secrets.some((s) => text!.includes(s)));
      if (where.length > 0)
        a.unsafe = [
          a.unsafe,
          `the response echoed a secret of ${a.credential} in its ${where.map(([w]) => w).join(' and ')}`,
        ]
          .filter(Boolean)
          .join('; ');
    });
    return { attempts: session.attempts, reasons: end.reasons };
  },
};

/**
 * The allowed reference with every credential header name in another case: a gateway stripping by exact name forwards
 * these.
 */
const recased = (
  ctx: ProbeContext,
  cred: PlannedCredential,
  label: string,
  rename: (n: string) => string,
): ProbeAttempt => ({
  label,
  cred,
  mustBeDenied: false,
  build: (attemptId) => {
    const req: RawRequest = baseRequest(ctx.target, cred, attemptId);
    const names = new Set(cred.headers.map(([n]) => n));
    return { ...req, headers: req.headers.map(([n, v]): [string, HeaderValue] => [names.has(n) ? rename(n) : n, v]) };
  },
});

/** What of `cred` a backend entry shows that it must not: stripped header names, secret values. */
function forwardedSecrets(ctx: ProbeContext, cred: PlannedCredential, entry: BackendEntry): string[] {
  const backend = ctx.target.backend!;
  const problems: string[] = [];
  for (const name of backend.mustNotSee)
    if (headerText(entry, name) !== undefined)
      problems.push(`the backend received header ${name}, which the gateway must strip`);
  if (!backend.secretsMayPass) {
    const seen =
      entry.path +
      '\n' +
      Object.entries(entry.headers)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join('\n');
    if (confidentialValues(cred, backend.mustNotSee).some((v) => seen.includes(v)))
      problems.push(
        `a password, token or client secret of ${cred.name} reached the backend (in a forwarded header or the path)`,
      );
  }
  return problems;
}

export const leaksSecretsForwarded: SecurityProbe = {
  id: 'leaks.secrets-forwarded',
  title: 'Client secrets and Authorization are stripped before the backend',
  sends:
    'every credential set the auth service allows, and the allowed reference with its header names in lower and ' +
    'upper case',
  safe:
    'upgrades them, and the backend sees none of the headers the target lists in backend.mustNotSee (default ' +
    'X-IBM-Client-Secret, Authorization, apikey) nor any secret value',
  async run(ctx) {
    if (!ctx.target.backend) return { attempts: [], reasons: [], notRun: NO_RECORD };
    const sets = allowedSets(ctx);
    if (sets.length === 0 || !ctx.allowed) return { attempts: [], reasons: [], notRun: NO_ALLOWED };
    const specs = sets.map((c) => plain(ctx, c, `credential set ${c.name}`, false));
    if (ctx.allowed.headers.length > 0) {
      specs.push(recased(ctx, ctx.allowed, `${ctx.allowed.name}, header names lower case`, (n) => n.toLowerCase()));
      specs.push(recased(ctx, ctx.allowed, `${ctx.allowed.name}, header names upper case`, (n) => n.toUpperCase()));
    }
    const { session, end } = await sendAll(ctx, specs);
    const reasons = [...end.reasons];
    const creds = specs.map((s) => s.cred!);
    session.attempts.forEach((a, i) => {
      const entry = end.byAttempt.get(session.idOf(i));
      if (!entry) return;
      const problems = forwardedSecrets(ctx, creds[i]!, entry);
      if (problems.length > 0) a.unsafe = problems.join('; ');
    });
    // Untagged connections cannot be matched to one attempt: judge them against every set sent.
    for (const entry of end.untagged) {
      const problems = [...new Set(creds.flatMap((c) => forwardedSecrets(ctx, c, entry)))];
      if (problems.length > 0) reasons.push(`an untagged connection to the backend: ${problems.join('; ')}`);
    }
    if (!session.attempts.some((a) => a.outcome === 'upgraded'))
      return {
        attempts: session.attempts,
        reasons,
        notRun: 'no allowed credential set was let in, so nothing forwarded could be inspected',
      };
    return { attempts: session.attempts, reasons };
  },
};
