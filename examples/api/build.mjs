#!/usr/bin/env node
// Builds an image with the tsbuild library instead of the CLI:
//   node examples/api/build.mjs CONTEXT [TAG] [--timeout SECONDS]     (try CONTEXT = examples/api)
// Progress arrives as events (the same ones `tsbuild build --progress json` prints); Ctrl-C or the
// timeout cancel the build through an AbortSignal; failures are told apart by their error code.
import { build, TsbuildError } from 'tsbuild';

const [context, tag = 'api-example:latest', ...rest] = process.argv.slice(2);
if (!context) {
  console.error('usage: build.mjs CONTEXT [TAG] [--timeout SECONDS]');
  process.exit(2);
}
const timeoutIndex = rest.indexOf('--timeout');
const timeoutSeconds = timeoutIndex >= 0 ? Number(rest[timeoutIndex + 1]) : 600;

// One controller for both reasons to stop. (A signal made with AbortSignal.any() can be collected
// while the build still listens to it on Node 20, so the timeout aborts the same controller.)
const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted')));
setTimeout(() => controller.abort(new Error('timed out')), timeoutSeconds * 1000).unref();
const signal = controller.signal;

/** One line per step that does something, plus the output of RUN steps. */
function onEvent(event) {
  const label = `[${event.stageName ?? `stage-${event.stage}`} ${event.step + 1}/${event.steps}]`;
  if (event.type === 'log') {
    console.log(`${label} | ${event.line}`);
  } else if (event.phase === 'started' && !event.metadataOnly) {
    console.log(`${label} ${event.text}`);
  } else if (event.phase === 'finished' && !event.metadataOnly && event.error === undefined) {
    console.log(`${label} ${event.cached ? 'CACHED' : `done in ${event.durationMs} ms`}`);
  }
}

try {
  const result = await build({ context, tags: [tag], signal, onEvent });
  console.log(`image ${result.imageId}`);
  console.log(`tags ${result.tags.join(' ')}`);
  console.log(`cache hits=${result.cache.hits} misses=${result.cache.misses}`);
  for (const warning of result.warnings) console.log(`warning ${warning.rule}: ${warning.message}`);
} catch (error) {
  if (!(error instanceof TsbuildError)) throw error;
  switch (error.code) {
    case 'E_ABORTED':
      console.error('build cancelled');
      process.exitCode = 130;
      break;
    case 'E_SYNTAX':
    case 'E_INSTRUCTION':
    case 'E_EXPANSION':
    case 'E_PLAN':
      // DockerfileError: the message names the file, line and column.
      console.error(`the Dockerfile is wrong: ${error.message}`);
      process.exitCode = 2;
      break;
    case 'E_STEP':
      console.error(`a step failed: ${error.message}`);
      process.exitCode = 1;
      break;
    default:
      console.error(`${error.code}: ${error.message}`);
      process.exitCode = 1;
  }
}
