import type { Outcome } from '../model/outcome.ts';

/**
 * Turn a socket-level error into its outcome. EADDRNOTAVAIL and EMFILE are their own outcomes
 * (DESIGN.md): they say the client ran out of ports or descriptors, not that the target failed.
 * `responseStarted` tells whether any response byte had arrived before the error.
 */
export function classifySocketError(err: NodeJS.ErrnoException, phase: 'connect' | 'tls' | 'handshake'): Outcome {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return phase === 'connect' ? 'refused' : 'reset';
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
      return phase === 'connect' ? 'connect_timeout' : 'handshake_timeout';
    default:
      break;
  }
  if (phase === 'tls' || (err.code ?? '').startsWith('ERR_SSL') || /certificate|SSL|TLS/i.test(err.message)) {
    return 'tls_error';
  }
  return phase === 'connect' ? 'refused' : 'reset';
}
