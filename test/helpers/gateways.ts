import { ensureDebianPackage } from './debian.ts';

/** The bundled gateway fixtures: ours, and the three real ones from Debian. */
export const GATEWAYS = ['reference', 'nginx', 'caddy', 'haproxy'] as const;
export type Gateway = (typeof GATEWAYS)[number];

/**
 * Why each gateway's tests cannot run here, or false, and the gateways that can. The reference
 * gateway is ours and always runs; each real one needs its Debian package: in CI a missing one
 * fails (test/helpers/debian.ts throws), elsewhere only the tests of that gateway skip, each saying so.
 */
export function gatewayAvailability(): { unavailable: Record<Gateway, string | false>; present: Gateway[] } {
  const unavailable = Object.fromEntries(
    GATEWAYS.map((gw) => {
      if (gw === 'reference') return [gw, false];
      const found = ensureDebianPackage(gw);
      return [gw, found.ok ? false : `${gw} unavailable: ${found.reason}`];
    }),
  ) as Record<Gateway, string | false>;
  return { unavailable, present: GATEWAYS.filter((gw) => !unavailable[gw]) };
}
