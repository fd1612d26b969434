import { expect } from 'chai';
import { dockerArchiveManifest, dockerRepositories, parseDockerArchiveManifest } from '../../../lib/image/docker-archive.js';
import { blobPath, layoutIndex, nameOfEntry, OCI_LAYOUT_BYTES, parseLayoutIndex, serializeLayoutIndex } from '../../../lib/image/oci-layout.js';

// What `docker save localhost/busybox:test` wrote with Docker 26.1.5 for a one-layer imported
// image (manifest sha256:e1572a19…, config sha256:35a1041c…, layer sha256:08a36240…).
const MANIFEST = 'sha256:e1572a192ac1639f75a5704ab92c7d8ab91b975b4ead6436680d19dc0940382a';
const CONFIG = 'sha256:35a1041c2880ba93ecf92761016a6b0c84ae849ba686013015069390ae7bcdb9';
const LAYER = 'sha256:08a36240fb204d67c00d3e25d73a716cb18441fabefc36dc805535b63c3e5525';
const DOCKER_INDEX =
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",' +
  `"digest":"${MANIFEST}","size":400,"annotations":{"io.containerd.image.name":"localhost/busybox:test","org.opencontainers.image.ref.name":"test"}}]}`;
const DOCKER_MANIFEST_JSON =
  `[{"Config":"blobs/sha256/${CONFIG.slice(7)}","RepoTags":["localhost/busybox:test"],"Layers":["blobs/sha256/${LAYER.slice(7)}"],` +
  `"LayerSources":{"${LAYER}":{"mediaType":"application/vnd.oci.image.layer.v1.tar","size":2129920,"digest":"${LAYER}"}}}]\n`;
const DOCKER_REPOSITORIES = `{"localhost/busybox":{"test":"${LAYER.slice(7)}"}}\n`;

const busybox = {
  configDigest: CONFIG,
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: LAYER, size: 2129920, diffId: LAYER }],
  names: ['localhost/busybox:test'],
};

describe('lib/image archive formats', () => {
  it("writes index.json, manifest.json, repositories and oci-layout byte for byte as docker save does", () => {
    const descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: MANIFEST, size: 400 };
    expect(serializeLayoutIndex([{ descriptor, names: ['localhost/busybox:test'] }]).toString()).to.equal(DOCKER_INDEX);
    expect(dockerArchiveManifest([busybox]).toString()).to.equal(DOCKER_MANIFEST_JSON);
    expect(dockerRepositories([busybox]).toString()).to.equal(DOCKER_REPOSITORIES);
    expect(OCI_LAYOUT_BYTES.toString()).to.equal('{"imageLayoutVersion": "1.0.0"}');
  });

  it('gives an image one index entry per name and a bare entry when it has none', () => {
    const descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: MANIFEST, size: 400 };
    const index = layoutIndex([{ descriptor, names: ['docker.io/library/app:v1', 'docker.io/library/app:latest'] }, { descriptor, names: [] }]);
    expect(index.manifests.map((entry) => entry.annotations)).to.deep.equal([
      { 'io.containerd.image.name': 'docker.io/library/app:v1', 'org.opencontainers.image.ref.name': 'v1' },
      { 'io.containerd.image.name': 'docker.io/library/app:latest', 'org.opencontainers.image.ref.name': 'latest' },
      undefined,
    ]);
  });

  it('familiar RepoTags and repositories keys for Docker Hub names; untagged images stay out of repositories', () => {
    const images = [{ ...busybox, names: ['docker.io/library/nginx:1.25', 'docker.io/user/app:v2'] }, { ...busybox, names: [] }];
    expect(parseDockerArchiveManifest(dockerArchiveManifest(images)).map((entry) => entry.repoTags)).to.deep.equal([['nginx:1.25', 'user/app:v2'], []]);
    expect(JSON.parse(dockerRepositories(images).toString())).to.deep.equal({ nginx: { '1.25': LAYER.slice(7) }, 'user/app': { v2: LAYER.slice(7) } });
  });

  it('reads manifest.json with null RepoTags (docker save by ID) and refuses entries without Config or Layers', () => {
    expect(parseDockerArchiveManifest(Buffer.from('[{"Config":"a.json","RepoTags":null,"Layers":["x/layer.tar"]}]'))).to.deep.equal([{ config: 'a.json', repoTags: [], layers: ['x/layer.tar'] }]);
    expect(() => parseDockerArchiveManifest(Buffer.from('[{"RepoTags":[]}]'))).to.throw(/no Config or Layers/);
    expect(() => parseDockerArchiveManifest(Buffer.from('{}'))).to.throw(/not a list/);
  });

  it('names an index entry by its containerd name, or by a ref.name that has a repository; a bare tag names nothing', () => {
    const base = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: MANIFEST, size: 1 };
    expect(nameOfEntry({ ...base, annotations: { 'io.containerd.image.name': 'docker.io/library/a:b', 'org.opencontainers.image.ref.name': 'b' } })).to.equal('docker.io/library/a:b');
    expect(nameOfEntry({ ...base, annotations: { 'org.opencontainers.image.ref.name': 'example.com/app:v1' } })).to.equal('example.com/app:v1');
    expect(nameOfEntry({ ...base, annotations: { 'org.opencontainers.image.ref.name': 'v1' } })).to.equal(undefined);
  });

  it('refuses index entries with bad digests and blob paths for anything but a digest', () => {
    expect(() => parseLayoutIndex(Buffer.from('{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:../../etc","size":1}]}'))).to.throw();
    expect(() => parseLayoutIndex(Buffer.from('{"schemaVersion":1,"manifests":[]}'))).to.throw(/not an OCI image index/);
    expect(() => blobPath('sha256:../../x')).to.throw();
    expect(blobPath(LAYER)).to.equal(`blobs/sha256/${LAYER.slice(7)}`);
  });
});
