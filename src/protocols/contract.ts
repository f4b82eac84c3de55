// The one contract every protocol parser follows (style.md, convention 3).
// Parsers are pure functions over bytes: no I/O, no timers, no globals; limits arrive as options.

/** The closed set of outcomes of parsing one frame from the front of a buffer. */
export type ParseResult<F> =
  /** A whole frame; `consumed` bytes from the front of the buffer belong to it. */
  | { kind: 'ok'; frame: F; consumed: number }
  /** Not enough bytes yet; nothing was consumed. */
  | { kind: 'needMore' }
  /** The bytes are not this protocol (or are corrupt) at offset `at`. */
  | { kind: 'invalid'; reason: string; at: number }
  /** The stream switched to something this parser does not speak (e.g. a 101 upgrade): stop, not an error. */
  | { kind: 'eos' };

/** Which role a byte stream plays on a connection. */
export type StreamRole = 'request' | 'response';
