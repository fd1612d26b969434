// The snapshot layer's public surface: layers in (applyLayer, unpackLayerSnapshot), a step's
// filesystem (prepareRootfs), its changes (diffRootfs) and the layer out (writeLayerTar).
//
//   const lowers = chain.map(snapshotTree);                        // topmost first
//   const rootfs = await prepareRootfs({ lowers, upper, scratch }); // overlay, or copy fallback
//   …run the step in rootfs.merged…
//   const { diffId } = await writeLayerTar(await diffRootfs(rootfs), sink, { sourceDateEpoch });
//   await rootfs.cleanup();
//   await unpackLayerSnapshot(layerStream, nextSnapshotDir, { lowers, expectDiffId: diffId });
export { ArchiveError, type ArchiveErrorReason } from './archive-error.js';
export { type Change, type ChangeKind, comparePaths } from './change.js';
export { DigestMeter, isSha256Digest } from './digest-meter.js';
export { type EntryAttrs, InRoot, InRootError } from './in-root.js';
export { diffOverlayUpper, diffRootfs, type LayerChanges } from './layer-diff.js';
export { type ApplyLayerOptions, type ApplyLayerResult, applyLayer, DEFAULT_LAYER_BUDGETS, type LayerBudgets, type RecordedXattrs, type WhiteoutHandling } from './layer-reader.js';
export { gzipStage, type LayerDigest, layerTarStream, type LayerWriterOptions, refuseWhiteoutNames, writeLayerTar } from './layer-writer.js';
export { DirView, LayeredView, type TreeView } from './lower-view.js';
export { detectOverlaySupport, type OverlaySupport, type PreparedOverlay, type PreparedRootfs, prepareRootfs } from './overlay.js';
export { containerOwner, type Owner, OwnerTable, recordsOwners, trackOwners } from './owner-table.js';
export { type MountedOverlay, mountOverlay, type MountStrategy, type OverlaySpec } from './overlay-mount.js';
export { adoptSnapshotTree, readSnapshotMarker, type SnapshotMarker, snapshotTree, type UnpackedSnapshot, unpackLayerSnapshot } from './snapshot-unpack.js';
export { normalizeUpper } from './upper-adopt.js';
export { type Compression, detectCompression } from './tar-input.js';
export { diffTrees } from './tree-diff.js';
