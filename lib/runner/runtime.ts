// The pieces a container command needs, opened from a root layout.
import type { RootLayout } from '../../cache/root.js';
import { NamespaceSandbox } from '../../executor/sandbox/namespace-sandbox.js';
import type { Sandbox } from '../../executor/sandbox/types.js';
import { ImageStore } from '../store/image-store.js';
import { ContainerStore } from './container-store.js';
import { installImageInUseCheck } from './image-in-use.js';
import type { Runtime } from './run-container.js';

export async function openRuntime(layout: RootLayout, sandbox: Sandbox = new NamespaceSandbox()): Promise<Runtime> {
  return { layout, images: await ImageStore.open(layout), containers: new ContainerStore(layout), sandbox };
}

// Any process that has the container commands loaded makes rmi respect containers.
installImageInUseCheck();
