#!/usr/bin/env node
// cleartap's entry point. It turns on Node's module compile cache before anything else is loaded: cleartap
// runs as a few hundred TypeScript modules, and stripping their types and compiling them costs ~0.3 s at
// every start; with the cache (under $NODE_COMPILE_CACHE, else the system's temporary directory) it is
// paid once per version.
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./program.ts');
