// Lets the image store's `rmi` refuse an image a container was made from (Docker's conflict rule).
// Installed by the container commands; a store without it removes images unconditionally.
import { dirname } from 'node:path';
import { rootLayout } from '../../cache/root.js';
import { ImageStore } from '../store/image-store.js';
import { ContainerStore } from './container-store.js';

export function installImageInUseCheck(): void {
  ImageStore.inUseCheck = async (layout, imageId) => {
    const containers = new ContainerStore(rootLayout(dirname(layout.images)));
    const user = await containers.userOfImage(imageId);
    return user?.Id.slice(0, 12);
  };
}
