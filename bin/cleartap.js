#!/usr/bin/env node
// The npm bin: hands over to the TypeScript entry point (Node ≥ 22.18 runs .ts by type stripping).
await import('../src/cli/main.ts');
