#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm ci` (the prepare script).
import { main } from '../dist/harness/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
