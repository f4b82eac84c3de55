// tap.direction and tap.ignore_loopback (seed 000 "Traffic Direction Settings"): which transactions
// reach the stacks. Direction is Qtap's three-way split: accepted connections are ingress; outgoing
// ones are egress-internal when the peer is in core/ip.ts's INTERNAL_RANGES, else egress-external.
// Loopback means either end is 127.0.0.0/8 or ::1 (a request to localhost has both).
import { ipScratch, isLoopbackIp, parseIpInto, qtapDirection, type QtapDirection } from '../core/ip.ts';
import type { Transaction } from '../core/transaction.ts';

export const TAP_DIRECTIONS = ['egress', 'egress-external', 'egress-internal', 'ingress', 'all'] as const;
export type TapDirection = (typeof TAP_DIRECTIONS)[number];

export interface TrafficSettings {
  direction: TapDirection;
  ignoreLoopback: boolean;
}

/** Why a transaction was left out (each is a counter), or 'pass'. */
export type TrafficVerdict = 'pass' | 'direction' | 'loopback';

const scratch = ipScratch();

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && parseIpInto(address, scratch) && isLoopbackIp(scratch);
}

function admits(setting: TapDirection, dir: QtapDirection): boolean {
  switch (setting) {
    case 'all':
      return true;
    case 'egress':
      return dir !== 'ingress';
    default:
      return dir === setting;
  }
}

export class TrafficFilter {
  private readonly settings: TrafficSettings;

  constructor(settings: TrafficSettings) {
    this.settings = settings;
  }

  /** The transaction's Qtap direction (also what rules and records show). */
  directionOf(tx: Transaction): QtapDirection {
    return qtapDirection(tx.direction, tx.remote?.address);
  }

  verdict(tx: Transaction, dir: QtapDirection = this.directionOf(tx)): TrafficVerdict {
    if (this.settings.ignoreLoopback && (isLoopback(tx.remote?.address) || isLoopback(tx.local?.address))) return 'loopback';
    return admits(this.settings.direction, dir) ? 'pass' : 'direction';
  }
}
