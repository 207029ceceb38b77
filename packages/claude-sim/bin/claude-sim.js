#!/usr/bin/env node
// Loads the TypeScript source through tsx in-process (no child process, ~120 ms over bare node),
// so the sim stays one process that signals reach directly.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
