#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled library so that `npx tsbuild` and the API share code.
import { main } from '../dist/lib/cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
