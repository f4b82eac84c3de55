// Parsers for command-line values shared by the subcommands: each refuses a bad value with the flag named.
import { InvalidArgumentError } from 'commander';
import { isCaptureLevel, type CaptureLevelInput } from '../sinks/stdout/index.ts';

export function wholeNumber(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

export function captureLevel(value: string): CaptureLevelInput {
  if (!isCaptureLevel(value)) throw new InvalidArgumentError('must be one of none, summary, details (or headers), full');
  return value;
}
