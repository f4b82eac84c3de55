// The FIFO that pairs each response with the oldest request still waiting for one, and decides when an
// exchange is finished. It is the host both MessageReaders ask while they parse. The response framing depends on
// the request (HEAD, CONNECT), so a response is only parsed once its request head has been seen; until then
// the response reader holds its bytes.
import type { StreamRole } from '../contract.ts';
import { mayUpgrade, requestFraming, responseFraming, type BodyFraming } from './body-framing.ts';
import type { AnyHead, AnyMessage } from './message-in-progress.ts';
import { FifoQueue } from './fifo-queue.ts';
import { Gate, MessageReader, type ReaderHost } from './message-reader.ts';
import type {
  Http1Exchange, Http1Limits, Http1Message, Http1SessionState, Http1Stats, RequestHead, ResponseHead,
} from './types.ts';

/** Invalid heads or bodies in a row (no valid head between them) after which the session gives up. */
export const MAX_CONSECUTIVE_INVALID = 8;

/** One request and what is known of its response, from the request head until the exchange is emitted. */
class ExchangeSlot {
  readonly requestHead: RequestHead;
  readonly requestFirstNs: number;
  readonly mayUpgrade: boolean;
  request: Http1Message<RequestHead> | null = null;
  response: Http1Message<ResponseHead> | undefined = undefined;
  informational: ResponseHead[] | undefined = undefined;
  /** A final (non-1xx) response head was seen, or the response is known to be lost. */
  answered = false;
  /** Nothing more will be added to the response side. */
  responseDone = false;
  upgraded = false;

  constructor(head: RequestHead, firstNs: number) {
    this.requestHead = head;
    this.requestFirstNs = firstNs;
    this.mayUpgrade = mayUpgrade(head);
  }

  toExchange(): Http1Exchange {
    const exchange: Http1Exchange = { request: this.request as Http1Message<RequestHead> };
    if (this.response !== undefined) exchange.response = this.response;
    if (this.informational !== undefined) exchange.informational = this.informational;
    if (this.upgraded) exchange.upgraded = true;
    return exchange;
  }
}

function newStats(): Http1Stats {
  return {
    messages: 0,
    invalid: 0,
    gapBytes: 0,
    resyncs: 0,
    orphanResponses: 0,
    droppedMessages: 0,
    skippedBytes: 0,
    unansweredRequests: 0,
  };
}

const NOTHING_READY: Http1Exchange[] = Object.freeze([]) as unknown as Http1Exchange[];

function headerValue(headers: readonly (readonly [string, string])[], lowerName: string): string | undefined {
  for (const [n, v] of headers) if (n.toLowerCase() === lowerName) return v.trim();
  return undefined;
}

export class ExchangePairing implements ReaderHost {
  /** Bytes after a protocol switch, in arrival order (Http1Session.takeUpgradedBytes). */
  readonly afterUpgrade: Array<{ role: StreamRole; bytes: Uint8Array; tsNs: number }> = [];
  /** The last response head was a 101 to h2c. */
  private toH2c = false;

  readonly stats: Http1Stats = newStats();
  state: Http1SessionState = 'active';
  private readonly requests: MessageReader;
  private readonly responses: MessageReader;
  private readonly limits: Http1Limits;
  /** Exchanges whose request head was seen and that are not emitted yet, oldest first. */
  private readonly slots = new FifoQueue<ExchangeSlot>();
  /**
   * Methods of requests emitted without a response that may still come (evicted, or flushed): the next
   * responses answer them, in order, and are skipped as orphans instead of being paired with later requests.
   */
  private readonly ghosts = new FifoQueue<string>();
  /** The slot whose request message is being read, and the one whose response is. */
  private requestSlot: ExchangeSlot | null = null;
  private responseSlot: ExchangeSlot | null = null;
  private responseIsUpgrade = false;
  private ready: Http1Exchange[] = [];
  private requestEnded = false;
  /** The request reader paused after CONNECT/Upgrade and may go on (the switch did not happen). */
  private requestResumable = false;
  private consecutiveInvalid = 0;

  constructor(limits: Http1Limits) {
    this.limits = limits;
    this.requests = new MessageReader('request', this, limits, this.stats);
    this.responses = new MessageReader('response', this, limits, this.stats);
  }

  reader(role: StreamRole): MessageReader {
    return role === 'request' ? this.requests : this.responses;
  }

  take(): Http1Exchange[] {
    // Called for every captured chunk, and most chunks complete nothing: no new array for those.
    if (this.ready.length === 0) return NOTHING_READY;
    const out = this.ready;
    this.ready = [];
    return out;
  }

  flush(): void {
    this.detachRequest();
    for (let i = 0; i < this.slots.length; i++) this.giveUp(this.slots.at(i));
    this.requestResumable = true;
    this.emitReady();
  }

  // ---- ReaderHost: called by the readers while they parse ----

  gate(_role: StreamRole, tsNs: number): Gate {
    if (this.ghosts.length > 0) return Gate.pair;
    const slot = this.firstUnanswered();
    if (slot !== null) return tsNs < slot.requestFirstNs ? Gate.orphan : Gate.pair;
    return this.noMoreRequests() ? Gate.orphan : Gate.hold;
  }

  onHead(role: StreamRole, head: AnyHead, orphan: boolean, firstByteNs: number): BodyFraming {
    if (role === 'request') {
      const request = head as RequestHead;
      const slot = new ExchangeSlot(request, firstByteNs);
      this.slots.push(slot);
      this.requestSlot = slot;
      if (this.slots.length > this.limits.maxPendingExchanges) this.evictOldest();
      return this.counted(requestFraming(request));
    }
    const response = head as ResponseHead;
    this.responseIsUpgrade = false;
    this.toH2c = response.status === 101 && headerValue(response.headers, 'upgrade')?.toLowerCase() === 'h2c';
    if (!orphan && this.ghosts.length > 0) {
      // The answer to a request already emitted without one: framed with its method, then skipped.
      this.responseSlot = null;
      const framing = this.counted(responseFraming(response, this.ghosts.at(0)));
      if (response.status >= 200 || framing.kind === 'upgrade') this.ghosts.shift();
      this.stats.orphanResponses++;
      this.responseIsUpgrade = framing.kind === 'upgrade';
      return framing;
    }
    let slot = orphan ? null : this.firstUnanswered();
    // A response cannot start before its request; such a one answers a request the capture never saw.
    if (slot !== null && firstByteNs < slot.requestFirstNs) slot = null;
    this.responseSlot = slot;
    if (slot === null) {
      this.stats.orphanResponses++;
      const framing = this.counted(responseFraming(response, null));
      this.responseIsUpgrade = framing.kind === 'upgrade';
      return framing;
    }
    const framing = this.counted(responseFraming(response, slot.requestHead.method));
    if (response.status < 200 && framing.kind !== 'upgrade') {
      (slot.informational ??= []).push(response);
    } else {
      slot.answered = true;
      this.responseIsUpgrade = framing.kind === 'upgrade';
    }
    return framing;
  }

  onMessage(role: StreamRole, message: AnyMessage): boolean {
    if (role === 'request') {
      const slot = this.requestSlot;
      this.requestSlot = null;
      if (slot === null) return false;
      slot.request = message as Http1Message<RequestHead>;
      this.emitReady();
      // Hold the client's next bytes until the server says whether it switched protocols.
      return slot.mayUpgrade && !slot.answered && !slot.responseDone;
    }
    const slot = this.responseSlot;
    this.responseSlot = null;
    const response = message as Http1Message<ResponseHead>;
    if (slot === null) {
      // Unpaired, but a switch is a switch: nothing after it is HTTP/1.
      if (this.responseIsUpgrade) this.upgrade();
      return false;
    }
    if (!slot.answered) return false; // a 1xx: its head is already recorded
    slot.response = response;
    slot.responseDone = true;
    if (this.responseIsUpgrade) {
      slot.upgraded = true;
      this.upgrade();
    } else if (slot.mayUpgrade) {
      this.requestResumable = true;
    }
    this.emitReady();
    return false;
  }

  onInvalid(_role: StreamRole): void {
    if (++this.consecutiveInvalid >= MAX_CONSECUTIVE_INVALID && this.state === 'active') {
      this.state = 'failed';
      this.stopReaders();
    }
  }

  onSyncLost(role: StreamRole, tsNs: number): void {
    if (role !== 'response') return;
    if (this.ghosts.length > 0) {
      this.ghosts.shift();
      return;
    }
    // The lost bytes began a response: the oldest waiting request (if it was already sent) will not see it.
    const slot = this.firstUnanswered();
    if (slot === null || slot.requestFirstNs > tsNs) return;
    slot.answered = true;
    slot.responseDone = true;
    if (slot.mayUpgrade) this.requestResumable = true;
    this.emitReady();
  }

  onEnd(role: StreamRole): void {
    if (role === 'request') {
      this.requestEnded = true;
    } else {
      for (let i = 0; i < this.slots.length; i++) this.slots.at(i).responseDone = true;
      this.ghosts.clear();
      this.requestResumable = true;
    }
    this.emitReady();
  }

  // ---- internals ----

  private counted(framing: BodyFraming): BodyFraming {
    if (framing.kind !== 'invalid') this.consecutiveInvalid = 0;
    return framing;
  }

  private firstUnanswered(): ExchangeSlot | null {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots.at(i);
      if (!s.answered && !s.responseDone) return s;
    }
    return null;
  }

  private noMoreRequests(): boolean {
    return this.requestEnded || this.requests.stopped;
  }

  /** The gate would not say hold: held response bytes can be replayed. */
  private responseCanStart(): boolean {
    return this.ghosts.length > 0 || this.firstUnanswered() !== null || this.noMoreRequests();
  }

  /**
   * Stops waiting for a slot's response: one being read is detached as it is; one not started yet becomes a
   * ghost, so that if it does arrive it is not taken for the answer to a later request.
   */
  private giveUp(slot: ExchangeSlot): void {
    if (slot.responseDone) return;
    if (slot === this.responseSlot) {
      const partial = this.responses.detach();
      if (partial !== null) slot.response = partial as Http1Message<ResponseHead>;
      this.responseSlot = null;
    } else if (!slot.answered) {
      this.ghosts.push(slot.requestHead.method);
      if (this.ghosts.length > this.limits.maxPendingExchanges) this.ghosts.shift();
    }
    slot.responseDone = true;
    if (slot.mayUpgrade) this.requestResumable = true;
  }

  /** Too many requests wait for responses (one direction not captured, or a deep pipeline): emit the oldest. */
  private evictOldest(): void {
    this.giveUp(this.slots.at(0));
    this.emitReady();
  }

  /**
   * Resumes held input once it can make progress. Run after each call from outside, never from inside a
   * reader's callback, so that a reader is never re-entered while it is parsing.
   */
  settle(): void {
    for (;;) {
      if (this.responses.holding && this.responseCanStart()) {
        this.responses.resume();
      } else if (this.requests.holding && this.requestResumable) {
        this.requestResumable = false;
        this.requests.resume();
      } else {
        return;
      }
    }
  }

  /** Moves finished exchanges, oldest first, to the ready list; a later one never overtakes an earlier one. */
  private emitReady(): void {
    const slots = this.slots;
    while (slots.length > 0) {
      const s = slots.at(0);
      if (s.request === null || !s.responseDone) break;
      if (s.response === undefined) this.stats.unansweredRequests++;
      this.ready.push(s.toExchange());
      slots.shift();
    }
  }

  private upgrade(): void {
    if (this.state !== 'active') return;
    this.state = 'upgraded';
    this.detachRequest();
    // Nothing after the switch is HTTP/1: whatever still waits will not get a response.
    for (let i = 0; i < this.slots.length; i++) this.slots.at(i).responseDone = true;
    this.stopReaders();
    this.emitReady();
  }

  /** The request being read is reported as it is; a slot with no request at all cannot be emitted. */
  private detachRequest(): void {
    const slot = this.requestSlot;
    this.requestSlot = null;
    if (slot === null) return;
    const partial = this.requests.detach();
    if (partial !== null) slot.request = partial as Http1Message<RequestHead>;
    else this.slots.pop(); // the request slot is always the newest
  }

  private stopReaders(): void {
    if (this.state === 'upgraded' && this.toH2c) {
      // What follows a switch to HTTP/2 is kept, in each direction, for the HTTP/2 parser (Http1Session.takeUpgradedBytes).
      this.requests.stopInto((bytes, tsNs) => this.afterUpgrade.push({ role: 'request', bytes: bytes.slice(), tsNs }));
      this.responses.stopInto((bytes, tsNs) => this.afterUpgrade.push({ role: 'response', bytes: bytes.slice(), tsNs }));
      return;
    }
    this.requests.stop();
    this.responses.stop();
  }
}
