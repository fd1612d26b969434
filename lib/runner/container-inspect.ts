// What `docker inspect` shows for a container, in Docker's field order: Id, Created, Path, Args,
// State (with Health when the container has a check), Image, Name ("/name"), HostConfig (the run
// options tsbuild has), Mounts, Config and NetworkSettings.Ports. Fields tsbuild has no notion of
// (cgroups, drivers, log paths) are left out rather than faked.
import type { GoValue } from '../image/go-json.js';
import { goMap } from '../image/go-json.js';
import type { ContainerConfig } from '../../executor/image-config.js';
import { isRunning } from './container-admin.js';
import type { ContainerRecord, HealthState } from './container-store.js';
import { portBindingsJson, publishedPortsJson } from './port-spec.js';

function healthJson(health: HealthState): GoValue {
  return {
    Status: health.Status,
    FailingStreak: health.FailingStreak,
    Log: health.Log.map((result) => ({ Start: result.Start, End: result.End, ExitCode: result.ExitCode, Output: result.Output })),
  };
}

/** `.State`: a runner that died without recording the exit shows as exited (Docker's "dead" is not modelled). */
function stateJson(record: ContainerRecord): GoValue {
  const state = record.State;
  const running = isRunning(record);
  return {
    Status: running ? 'running' : state.Status === 'running' ? 'exited' : state.Status,
    Running: running,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: running ? state.Pid : 0,
    ExitCode: state.ExitCode,
    Error: state.Error,
    StartedAt: state.StartedAt,
    FinishedAt: state.FinishedAt,
    Health: state.Health === undefined ? undefined : healthJson(state.Health),
  };
}

function mapOrNull(map: Record<string, unknown>): GoValue {
  return Object.keys(map).length === 0 ? null : goMap(map as Record<string, GoValue>);
}

function configJson(record: ContainerRecord, image: ContainerConfig | undefined): GoValue {
  const config = record.Config;
  const ports = config.ports ?? [];
  const exposed = { ...Object.fromEntries(Object.keys(image?.ExposedPorts ?? {}).map((key) => [key, new Map()])), ...Object.fromEntries(ports.map((port) => [`${port.containerPort}/${port.protocol}`, new Map()])) };
  const health = config.healthcheck;
  return {
    Hostname: config.hostname,
    Domainname: '',
    User: config.user,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: Object.keys(exposed).length === 0 ? undefined : goMap(exposed as Record<string, GoValue>),
    Tty: config.tty,
    OpenStdin: false,
    StdinOnce: false,
    // HOSTNAME is the runtime's, not part of the container's configured environment.
    Env: config.env.filter((entry) => !entry.startsWith('HOSTNAME=')),
    Cmd: config.cmd === undefined ? [...config.args] : config.cmd.length === 0 ? null : [...config.cmd],
    Healthcheck: health === undefined ? undefined : { Test: [...health.Test], Interval: health.Interval, Timeout: health.Timeout, StartPeriod: health.StartPeriod, StartInterval: health.StartInterval, Retries: health.Retries },
    Image: record.ImageRef,
    Volumes: image?.Volumes === undefined ? null : goMap(Object.fromEntries(Object.keys(image.Volumes).map((key) => [key, new Map()]))),
    WorkingDir: config.cwd === '/' && !image?.WorkingDir ? '' : config.cwd,
    Entrypoint: config.entrypoint === undefined || config.entrypoint.length === 0 ? null : [...config.entrypoint],
    OnBuild: null,
    Labels: goMap(image?.Labels ?? {}),
    StopSignal: config.stopSignal === 'SIGTERM' ? undefined : config.stopSignal,
    StopTimeout: config.stopTimeoutSeconds === 10 ? undefined : config.stopTimeoutSeconds,
  };
}

function hostConfigJson(record: ContainerRecord): GoValue {
  const config = record.Config;
  const binds = config.volumes.map((volume) => `${volume.source}:${volume.target}${volume.readonly ? ':ro' : ''}`);
  return {
    Binds: binds.length === 0 ? null : binds,
    NetworkMode: config.network,
    PortBindings: mapOrNull(portBindingsJson(config.ports ?? [])),
    AutoRemove: record.AutoRemove,
  };
}

function mountsJson(record: ContainerRecord): GoValue {
  return record.Config.volumes.map((volume) => ({ Type: 'bind', Source: volume.source, Destination: volume.target, Mode: volume.readonly ? 'ro' : '', RW: !volume.readonly, Propagation: 'rprivate' }));
}

/** `image` is the container's image config when it still exists (for its labels, ports and volumes). */
export function containerInspectJson(record: ContainerRecord, image?: ContainerConfig): { [key: string]: GoValue } {
  const [path = '', ...args] = record.Config.args;
  return {
    Id: record.Id,
    Created: record.Created,
    Path: path,
    Args: args,
    State: stateJson(record),
    Image: record.Image,
    Name: `/${record.Name}`,
    RestartCount: 0,
    Platform: 'linux',
    HostConfig: hostConfigJson(record),
    Mounts: mountsJson(record),
    Config: configJson(record, image),
    NetworkSettings: { Ports: goMap(isRunning(record) ? publishedPortsJson(record.State.Ports ?? []) : {}) },
  };
}
