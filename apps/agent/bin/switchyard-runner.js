#!/usr/bin/env node
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/turn/runner.ts');
main(process.argv[2]);
