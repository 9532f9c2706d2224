import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** This host's limits that bound how many connections one worker and one address pair can hold. */
export interface HostLimits {
  /** Soft limit on open files of one process (`ulimit -n`). */
  openFiles: number;
  /** Ephemeral ports one source address has towards one destination (ip_local_port_range). */
  ephemeralPorts: number;
  cores: number;
}

/** Descriptors a worker keeps for itself (Node, IPC, stdio, libraries) out of its limit. */
export const FD_RESERVE = 500;
/** Ports of one source/destination pair used at most, leaving the rest to TIME_WAIT and other users. */
const PORT_SHARE = 0.9;
/**
 * With a source address the client binds before connecting, and Linux then picks the port at bind
 * time: a port is taken for every destination, bind(0) searches the odd half of the range first,
 * and the search slows as it fills (bench:engine stalled near 13,000 per address). So an address
 * carries at most a quarter of the range, over all destinations.
 */
const BOUND_SHARE = 0.25;

export function hostLimits(): HostLimits {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const limits = read('/proc/self/limits');
  const soft = limits ? /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1] : undefined;
  const range = read('/proc/sys/net/ipv4/ip_local_port_range')?.trim().split(/\s+/).map(Number);
  return {
    openFiles: soft === undefined ? 1024 : soft === 'unlimited' ? 1_048_576 : Number(soft),
    ephemeralPorts: range && range.length === 2 ? range[1]! - range[0]! + 1 : 28_232,
    cores: availableParallelism(),
  };
}

export interface SpreadNeed {
  /** Connections open at once at the peak: held connections plus handshakes in flight. */
  held: number;
  maxInFlight: number;
  /** Requested worker processes, undefined for the default. */
  workers?: number;
  /** Explicit source addresses, undefined for the default. */
  sourceAddresses?: string[];
  /** Destinations (host:port) the connections are spread over evenly, with whether they are IPv4 loopback. */
  destinations: Array<{ key: string; loopback4: boolean }>;
}

export interface SpreadPlan {
  workers: number;
  /** Source addresses per worker (empty lists: the OS chooses). */
  sourceAddresses: string[][];
  perWorker: number;
  perDestination: number;
}

/** A plan this host cannot run, with what to change. */
export class SpreadError extends Error {
  constructor(
    message: string,
    readonly field: 'workers' | 'sourceAddresses' | 'maxInFlight' | 'connections',
  ) {
    super(message);
  }
}

/**
 * Check a load plan against the host before anything starts: every worker must stay inside its
 * open-file limit and every source/destination pair inside its ephemeral ports. Loopback IPv4
 * targets get extra source addresses (127.0.0.2, 127.0.0.3, ...) automatically when one is not
 * enough; anything else must be given. Throws SpreadError saying what to change.
 */
export function planSpread(need: SpreadNeed, limits: HostLimits = hostLimits()): SpreadPlan {
  const peak = need.held + need.maxInFlight;
  const fdPerWorker = limits.openFiles - FD_RESERVE;
  const workers = need.workers ?? limits.cores;
  const perWorker = Math.ceil(peak / workers);
  if (perWorker > fdPerWorker) {
    const enough = Math.ceil(peak / fdPerWorker);
    throw new SpreadError(
      `${peak} connections ` +
        `open at once (${need.held} held + ${need.maxInFlight} maxInFlight) need ${perWorker} descriptors ` +
        `in each of ${workers} worker process(es), ` +
        `and one process may hold ${limits.openFiles} here (ulimit -n; ${FD_RESERVE} kept for the runtime): set ` +
        `load.workers to ${enough} or more, or lower ` +
        `${need.held > need.maxInFlight ? 'connections.count' : 'maxInFlight'}, or split the load over runners ` +
        `(wsgate run --segment i/N)`,
      need.workers === undefined ? 'connections' : 'workers',
    );
  }
  const perDestination = Math.ceil(peak / Math.max(1, new Set(need.destinations.map((d) => d.key)).size));
  const portsPerPair = Math.floor(limits.ephemeralPorts * PORT_SHARE);
  const portsPerBoundAddress = Math.floor(limits.ephemeralPorts * BOUND_SHARE);
  // Bound addresses share their ports over every destination, hence the whole peak.
  const addressesNeeded = Math.ceil(peak / portsPerBoundAddress);
  let addresses = need.sourceAddresses ?? [];
  if (addresses.length === 0 && perDestination > portsPerPair) {
    if (!need.destinations.every((d) => d.loopback4)) {
      throw new SpreadError(
        `${perDestination} connections to one destination need more ephemeral ports than one address pair ` +
          `has (about ${portsPerPair}): list ${addressesNeeded} addresses of this host in load.sourceAddresses ` +
          `(each carries about ${portsPerBoundAddress}), or split the load over runners (wsgate run --segment i/N)`,
        'sourceAddresses',
      );
    }
    // Every address in 127.0.0.0/8 is this host on Linux: one per worker at least, so they never
    // share. 127.0.0.1 is left alone: a port bound there is taken from every other connection
    // from it, such as a gateway's to its backend (which stalled a 50k run at 21,685 through one).
    const count = Math.max(addressesNeeded, workers);
    addresses = Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
  } else if (addresses.length > 0 && addresses.length < addressesNeeded) {
    throw new SpreadError(
      `${peak} connections at once need ${addressesNeeded} source addresses (each ` +
        `carries about ${portsPerBoundAddress}: the port is taken at bind time, for every destination) and ` +
        `load.sourceAddresses lists ${addresses.length}: add more`,
      'sourceAddresses',
    );
  }
  // Each worker gets its own addresses when there are enough, else all of them.
  const sourceAddresses = Array.from({ length: workers }, (_, w) => {
    if (addresses.length === 0) return [];
    if (addresses.length < workers) return addresses;
    return addresses.filter((_, i) => i % workers === w);
  });
  return { workers, sourceAddresses, perWorker, perDestination };
}
