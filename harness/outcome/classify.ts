import type { Outcome } from '../model/outcome.ts';

/**
 * How an upgrade attempt that did not get a complete response head ends: the one rule both
 * upgrade clients (client/evidence-client.ts and client/load-client.ts) follow, so an attempt is
 * classified the same way whether it was a conformance check or one of a million under load.
 */

/** Where an upgrade attempt is when something happens to it. */
export type UpgradeStep = 'connect' | 'tls' | 'handshake';

/** An attempt's time ran out in `step`: no TCP connection, or no complete response head. */
export function outcomeOfTimeout(step: UpgradeStep): Outcome {
  return step === 'connect' ? 'connect_timeout' : 'handshake_timeout';
}

/**
 * The connection closed in `step` with no error: refused before it was up; a TLS failure during
 * the TLS handshake; after the request, a protocol error when part of a head had arrived (the
 * server closed inside it) and closed_before_response when nothing had.
 */
export function outcomeOfClose(step: UpgradeStep, bytesSeen: boolean): Outcome {
  if (step === 'connect') return 'refused';
  if (step === 'tls') return 'tls_error';
  return bytesSeen ? 'protocol_error' : 'closed_before_response';
}

/**
 * A socket error in `step`. EADDRNOTAVAIL and EMFILE are their own outcomes (README "Outcome model"): they say
 * the client ran out of ports or descriptors, not that the target failed.
 */
export function outcomeOfError(err: NodeJS.ErrnoException, step: UpgradeStep): Outcome {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return step === 'connect' ? 'refused' : 'reset';
    case 'EADDRNOTAVAIL':
    case 'EADDRINUSE':
      return 'port_exhausted';
    case 'EMFILE':
    case 'ENFILE':
      return 'fd_exhausted';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns_error';
    case 'ETIMEDOUT':
      return outcomeOfTimeout(step);
    default:
      break;
  }
  if (step === 'tls' || (err.code ?? '').startsWith('ERR_SSL') || /certificate|SSL|TLS/i.test(err.message)) {
    return 'tls_error';
  }
  return step === 'connect' ? 'refused' : 'reset';
}
