#!/usr/bin/env node
// The published entry point: TypeScript sources run through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../harness/cli/main.ts');
