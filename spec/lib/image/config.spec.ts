import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { imageConfig, parseImageConfig, serializeImageConfig } from '../../../lib/image/config.js';
import { goJson, goMap } from '../../../lib/image/go-json.js';
import { ociManifest, parseManifest, serializeManifest } from '../../../lib/image/manifest.js';
import { MediaTypes } from '../../../lib/image/media-types.js';
import { rfc3339, sourceDateEpoch } from '../../../lib/image/timestamps.js';

const sha = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

// Recorded from BuildKit (docker build, then docker save) for
//   FROM localhost/busybox:test / ENV X=1 / RUN echo hi > /f / CMD ["sh"]
const BUILDKIT_CONFIG = '{"architecture":"amd64","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","X=1"],"Cmd":["sh"],"ArgsEscaped":true},"created":"2026-12-04T12:46:28.904201569Z","history":[{"created":"2026-12-04T12:40:50.429065764Z","comment":"Imported from -"},{"created":"2026-12-04T12:46:28.904201569Z","created_by":"ENV X=1","comment":"buildkit.dockerfile.v0","empty_layer":true},{"created":"2026-12-04T12:46:28.904201569Z","created_by":"RUN /bin/sh -c echo hi \\u003e /f # buildkit","comment":"buildkit.dockerfile.v0"},{"created":"2026-12-04T12:46:28.904201569Z","created_by":"CMD [\\"sh\\"]","comment":"buildkit.dockerfile.v0","empty_layer":true}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:08a36240fb204d67c00d3e25d73a716cb18441fabefc36dc805535b63c3e5525","sha256:eb3995b4d8d3641279421bd5cd7b96f1f52e7ef8253b2a76b7a03da4ec7ad94d"]}}';
const BUILDKIT_CONFIG_DIGEST = 'sha256:ecfee4f25cf29efd0f0fa77b7c51138ebc270a8210927f7c4c60dc6dca4f775c';
const BUILDKIT_MANIFEST_DIGEST = 'sha256:d87c76daa05bafc0a7b80d4e520df21b5f4705191f770d283a29e26a84b81515';

describe('lib/image config and manifest bytes', () => {
  it('writes the same config bytes (and digest) as BuildKit for the same values', () => {
    const created = '2026-12-04T12:46:28.904201569Z';
    const step = (created_by: string, empty: boolean) => ({ created, created_by, comment: 'buildkit.dockerfile.v0', ...(empty ? { empty_layer: true } : {}) });
    const config = imageConfig({
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'X=1'], Cmd: ['sh'], ArgsEscaped: true },
      diffIds: ['sha256:08a36240fb204d67c00d3e25d73a716cb18441fabefc36dc805535b63c3e5525', 'sha256:eb3995b4d8d3641279421bd5cd7b96f1f52e7ef8253b2a76b7a03da4ec7ad94d'],
      history: [{ created: '2026-12-04T12:40:50.429065764Z', created_by: '', comment: 'Imported from -' }, step('ENV X=1', true), step('RUN /bin/sh -c echo hi > /f # buildkit', false), step('CMD ["sh"]', true)],
      platform: { os: 'linux', architecture: 'amd64' },
      created,
    });
    const bytes = serializeImageConfig(config);
    expect(bytes.toString()).to.equal(BUILDKIT_CONFIG);
    expect(sha(bytes)).to.equal(BUILDKIT_CONFIG_DIGEST);
    expect(serializeImageConfig(parseImageConfig(bytes)).toString()).to.equal(BUILDKIT_CONFIG);
  });

  it('reads Go nulls in a config Docker wrote (docker import) as absent, so it can be written again', () => {
    // The config of `docker import` / `docker save` for localhost/busybox:test (dockerd 26).
    const docker = '{"architecture":"amd64","comment":"Imported from -","config":{"Hostname":"","User":"","Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"created":"2026-12-04T12:40:50.429065764Z","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:08a36240fb204d67c00d3e25d73a716cb18441fabefc36dc805535b63c3e5525"]}}';
    const config = parseImageConfig(Buffer.from(docker));
    expect(config.config.Env).to.equal(undefined);
    expect(Object.values(config.config)).to.not.include(null);
    expect(serializeImageConfig(config).toString()).to.contain('"config":{},');
  });

  it('writes the manifest docker save wrote for that image', () => {
    const manifest = ociManifest({ mediaType: MediaTypes.ociConfig, digest: BUILDKIT_CONFIG_DIGEST, size: 866 }, [
      { mediaType: MediaTypes.ociLayer, digest: 'sha256:08a36240fb204d67c00d3e25d73a716cb18441fabefc36dc805535b63c3e5525', size: 2129920 },
      { mediaType: MediaTypes.ociLayer, digest: 'sha256:eb3995b4d8d3641279421bd5cd7b96f1f52e7ef8253b2a76b7a03da4ec7ad94d', size: 2560 },
    ]);
    const bytes = serializeManifest(manifest);
    expect(sha(bytes)).to.equal(BUILDKIT_MANIFEST_DIGEST);
    expect(parseManifest(bytes)).to.deep.equal(manifest);
  });

  it('writes every Docker config field in Go struct order, maps sorted, empty ones left out', () => {
    const config = imageConfig({
      config: {
        Shell: ['/bin/bash', '-c'], OnBuild: ['RUN x'], Healthcheck: { Test: ['CMD', 'true'], Interval: 1e9, Retries: 3 }, ArgsEscaped: false,
        StopSignal: 'SIGINT', Labels: { b: '2', '10': 'x', a: '1' }, WorkingDir: '/w', Volumes: { '/v': {} }, Cmd: [], Entrypoint: ['/e'],
        Env: ['A=1'], ExposedPorts: { '80/tcp': {}, '443/tcp': {} }, User: 'u',
      },
      diffIds: [], history: [], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    expect(serializeImageConfig(config).toString()).to.equal(
      '{"architecture":"arm64","config":{"User":"u","ExposedPorts":{"443/tcp":{},"80/tcp":{}},"Env":["A=1"],"Entrypoint":["/e"],' +
      '"Volumes":{"/v":{}},"WorkingDir":"/w","Labels":{"10":"x","a":"1","b":"2"},"StopSignal":"SIGINT",' +
      '"Healthcheck":{"Test":["CMD","true"],"Interval":1000000000,"Retries":3},"OnBuild":["RUN x"],"Shell":["/bin/bash","-c"]},' +
      '"history":[],"os":"linux","rootfs":{"type":"layers","diff_ids":[]},"variant":"v8"}');
  });

  it('escapes as Go does and keeps map keys in byte order', () => {
    expect(goJson({ a: '<&>\u2028' })).to.equal('{"a":"\\u003c\\u0026\\u003e\\u2028"}');
    expect(goJson(goMap({ b: 1, '2': 2, B: 3 }))).to.equal('{"2":2,"B":3,"b":1}');
  });

  it('formats times as Go RFC 3339 and reads SOURCE_DATE_EPOCH', () => {
    expect(rfc3339(new Date(0))).to.equal('1970-01-01T00:00:00Z');
    expect(rfc3339(new Date(1500))).to.equal('1970-01-01T00:00:01.5Z');
    expect(sourceDateEpoch({ SOURCE_DATE_EPOCH: '1700000000' })?.toISOString()).to.equal('2023-11-14T22:13:20.000Z');
    expect(sourceDateEpoch({})).to.equal(undefined);
    expect(() => sourceDateEpoch({ SOURCE_DATE_EPOCH: 'soon' })).to.throw(/SOURCE_DATE_EPOCH/);
  });
});
