#!/usr/bin/env node
// The published bin: plain JS that loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
