import { baseRequest } from '../raw-request.ts';
import { type SecurityProbe, sendAll } from '../security-probe.ts';
import type { ProbeAttempt } from '../session.ts';
import { NO_DENIED } from './bypass.ts';
import { NO_ALLOWED } from './fail-closed.ts';

export const cachingDenyAfterAllow: SecurityProbe = {
  id: 'caching.deny-after-allow',
  title: 'An allow decision is not reused for the next caller from the same address',
  sends:
    'the allowed reference, then at once from the same client address and path: the denied reference, the allowed ' +
    'one again, no credentials, the denied one again',
  safe: 'upgrades the allowed attempts and refuses every other one; the backend sees only the allowed ones',
  async run(ctx) {
    const { allowed, denied } = ctx;
    if (!allowed) return { attempts: [], reasons: [], notRun: NO_ALLOWED };
    if (!denied) return { attempts: [], reasons: [], notRun: NO_DENIED };
    const spec = (label: string, cred: typeof allowed | undefined, mustBeDenied: boolean): ProbeAttempt => ({
      label,
      cred,
      mustBeDenied,
      build: (id) => baseRequest(ctx.target, cred, id),
    });
    const { session, end } = await sendAll(ctx, [
      spec('allowed reference', allowed, false),
      spec('denied reference right after an allow', denied, true),
      spec('allowed reference again', allowed, false),
      spec('no credentials right after an allow', undefined, true),
      spec('denied reference again', denied, true),
    ]);
    const first = session.attempts[0];
    if (first && first.outcome !== 'upgraded' && !session.attempts.some((a) => a.unsafe)) {
      return {
        attempts: session.attempts,
        reasons: end.reasons,
        notRun: `the allowed reference was not let in (saw ${first.outcome}), so there was no allow decision to reuse`,
      };
    }
    return { attempts: session.attempts, reasons: end.reasons };
  },
};
