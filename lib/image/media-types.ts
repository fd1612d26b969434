// The media types of the formats tsbuild reads and writes (OCI image spec and Docker's v2 schema 2).
export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export type LayerCompression = 'none' | 'gzip';

const LAYER_TYPES: Readonly<Record<string, LayerCompression>> = {
  [MediaTypes.ociLayer]: 'none',
  [MediaTypes.ociLayerGzip]: 'gzip',
  [MediaTypes.dockerLayer]: 'none',
  [MediaTypes.dockerLayerGzip]: 'gzip',
};

/** The compression a layer media type says, or undefined for a type that is not a layer we read. */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  return LAYER_TYPES[mediaType];
}

export function ociLayerType(compression: LayerCompression): string {
  return compression === 'gzip' ? MediaTypes.ociLayerGzip : MediaTypes.ociLayer;
}
