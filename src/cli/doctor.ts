// `cleartap doctor`: is this host ready for eBPF capture, and if not, what to fix. One line per check
// (ok / warn / fail / skip, what was found, the fix), or --json; exits 1 when any check fails.
import { Command } from 'commander';
import { runChecks, type CheckResult, type DoctorProbes } from './doctor-checks.ts';

export interface DoctorFlags {
  json: boolean;
  load: boolean;
  config?: string;
}

export interface DoctorDeps {
  /** The host (tests pass fakes); built lazily so that --help costs nothing. */
  probes?: (flags: DoctorFlags) => DoctorProbes | Promise<DoctorProbes>;
  stdout?: { write(text: string): unknown };
  /** Sets the exit status (process.exitCode by default). */
  exit?: (code: number) => void;
}

export interface DoctorReport {
  ok: boolean;
  counts: Record<CheckResult['status'], number>;
  checks: CheckResult[];
}

export function report(checks: CheckResult[]): DoctorReport {
  const counts = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;
  return { ok: counts.fail === 0, counts, checks };
}

const LABEL: Record<CheckResult['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export function formatText(r: DoctorReport): string {
  const width = Math.max(...r.checks.map((c) => c.id.length));
  const lines = r.checks.map((c) => `${LABEL[c.status]}  ${c.id.padEnd(width)}  ${c.summary}${c.fix ? ` — fix: ${c.fix}` : ''}`);
  const { ok, warn, fail, skip } = r.counts;
  lines.push(`${ok} ok, ${warn} warnings, ${fail} failed${skip ? `, ${skip} skipped` : ''}: ${r.ok ? 'this host can run cleartap' : 'fix the FAIL lines above'}`);
  return `${lines.join('\n')}\n`;
}

async function hostProbes(flags: DoctorFlags): Promise<DoctorProbes> {
  // Loaded on demand: the host probes pull in the addon and the capture code.
  const { hostProbes: probes } = await import('./doctor-host.ts');
  return probes(process.env, flags.config);
}

export function doctorCommand(deps: DoctorDeps = {}): Command {
  const stdout = deps.stdout ?? process.stdout;
  const exit = deps.exit ?? ((code: number) => void (process.exitCode = code));
  return new Command('doctor')
    .description('check that this host can run cleartap (kernel, BTF, privileges, tracefs, memory, addons, TLS libraries, config) and say what to fix; exits 1 on any failure')
    .option('--json', 'print the report as JSON', false)
    .option('--no-load', 'do not load the BPF programs (by default they are loaded, attached and removed again: the decisive check)')
    .option('-c, --config <file>', 'the config to check (default: the one cleartap would use)')
    .action(async (flags: DoctorFlags) => {
      const probes = await (deps.probes ?? hostProbes)(flags);
      const r = report(runChecks(probes, { load: flags.load }));
      stdout.write(flags.json ? `${JSON.stringify(r, null, 2)}\n` : formatText(r));
      exit(r.ok ? 0 : 1);
    });
}
