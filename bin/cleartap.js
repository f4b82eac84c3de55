#!/usr/bin/env node
// The npm bin. In a checkout (and the release tarball) it runs the TypeScript entry point: Node ≥ 22.18 strips
// the types. The npm package ships lib/, the same code compiled to JavaScript at `npm pack`, because Node does
// not strip types under node_modules.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
await import(existsSync(source) ? source.href : new URL('../lib/cli/main.js', import.meta.url).href);
