import { Type } from '@sinclair/typebox';
import { SESSION_CHECK_IDS, SESSION_FAMILIES } from '../../model/session.ts';
import { Duration, Name, Strict } from '../schema-parts.ts';
import { SIZE_PATTERN } from '../size.ts';

/** The largest message the size ladder may try: the bundled echo backend's own limit. */
export const MAX_LADDER_BYTES = 16 * 1024 * 1024;

/** A check (`close.backend`) or a whole family (`close`), as `checks:` and `skip:` name them. */
const CheckSelector = Type.Union(
  [...SESSION_FAMILIES, ...SESSION_CHECK_IDS.filter((id) => !SESSION_FAMILIES.includes(id))].map((id) =>
    Type.Literal(id),
  ),
  {
    description:
      'A session check (e.g. close.backend) or a family (handshake, messages, ping, close, negotiation, backend, ' +
      'auth, http2)',
  },
);

const settings = {
  checks: Type.Optional(
    Type.Array(CheckSelector, { minItems: 1, description: 'Checks or families to run (default: all)' }),
  ),
  skip: Type.Optional(
    Type.Array(CheckSelector, { description: 'Checks or families left out, reported as not applicable' }),
  ),
  sets: Type.Optional(
    Type.Array(Name('A credential set'), {
      minItems: 1,
      description:
        'Credential sets that get the session checks (default: every set expecting 200 with the auth service ok); ' +
        'http2.verdict tries every set',
    }),
  ),
  maxMessageBytes: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: MAX_LADDER_BYTES }), Type.String({ pattern: SIZE_PATTERN })], {
      description: 'Top of the messages.sizes ladder (1 KiB, 4 KiB, ... x4 up to it); default 1MiB, at most 16MiB',
    }),
  ),
  fragments: Type.Optional(
    Type.Integer({
      minimum: 2,
      maximum: 64,
      description: 'Frames messages.fragmented sends one message in; default 3',
    }),
  ),
  timeout: Type.Optional(Duration('How long each wait of a check may take (an echo, a pong, a close); default 2s')),
  subprotocols: Type.Optional(
    Type.Array(Type.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" }), {
      minItems: 1,
      description:
        "Subprotocols negotiation.subprotocol offers (default: the set's own subprotocols, else wsgate.v1, wsgate.v2)",
    }),
  ),
  origin: Type.Optional(
    Type.String({ description: "Origin sent on every session connection (default: the set's own origin, if any)" }),
  ),
  forwarded: Type.Optional(
    Type.Union([Type.Literal('require'), Type.Literal('report'), Type.Literal('forbid')], {
      description:
        'backend.forwarded: the backend must see X-Forwarded-For or Forwarded (require), must not (forbid), or it is ' +
        'only reported (report, the default)',
    }),
  ),
  hopByHopToAuth: Type.Optional(
    Type.Union([Type.Literal('fail'), Type.Literal('report')], {
      description:
        'auth.hop-by-hop: Upgrade, Connection: upgrade or Sec-WebSocket-* reaching the auth service fails the check ' +
        '(fail, the default) or is only reported (report)',
    }),
  ),
  http2: Type.Optional(
    Type.Union([Type.Literal(false), Type.String({ pattern: '^(wss?://|\\$\\{fixture:)' })], {
      description:
        'Where WebSockets over HTTP/2 (RFC 8441) are served: a ws:// URL for h2c (prior knowledge), a wss:// URL ' +
        'for h2 by ALPN, ${fixture:gateway.h2}; false for none. Default: wss:// targets are asked for h2 by ALPN',
    }),
  ),
};

/** Settings a target may override (`targets[].session`), or `false` to leave the target out. */
export const TargetSessionSchema = Type.Union([
  Type.Boolean({ description: 'false: no session checks for this target' }),
  Strict(settings, "This target's session settings, over the scenario's session: block"),
]);

/**
 * The `session:` block, owned by harness/session/: what runs after the 101 on every upgraded set
 * (defaults without the block; `session: false` turns it off).
 */
export const SessionSchema = Type.Union([
  Type.Boolean({ description: 'false: no session checks; true: the defaults' }),
  Strict(
    settings,
    'Session checks after the 101: messages, ping/pong, closes, negotiation, what the backend and the auth service ' +
      'saw, WebSockets over HTTP/2',
  ),
]);
