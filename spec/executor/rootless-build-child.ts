// Run by rootless-build.spec.ts as an unprivileged user: imports busybox into a root of its own,
// builds the Dockerfile in the given context there, and prints what the spec checks as JSON.
import { build } from '../../lib/build.js';
import { importBusybox } from '../support/busybox-image.js';
import { makeBuildFixtureView } from './rootless-build-view.js';

const [root, context] = process.argv.slice(2) as [string, string];
try {
  await importBusybox(root);
  const result = await build({ root, context, tags: ['rootless:test'], network: 'none' });
  const view = makeBuildFixtureView(root);
  process.stdout.write(JSON.stringify({ ok: true, uid: process.getuid?.(), cache: result.cache, files: await view.files('rootless:test', ['made-by-run', 'copied', 'workdir-owner']) }));
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, message: (error as Error).message }));
}
