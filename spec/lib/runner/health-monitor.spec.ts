// Docker's health rules, first as a pure state machine, then with a fake probe on real timers.
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthResult, HealthState } from '../../../lib/runner/container-store.js';
import { healthTimings, HealthMonitor, initialHealth, nextHealthState, type Probe } from '../../../lib/runner/health-monitor.js';

function result(exitCode: number): HealthResult {
  return { Start: 't', End: 't', ExitCode: exitCode, Output: '' };
}

const timings = healthTimings({ Test: ['CMD', 'x'], Retries: 2, StartPeriod: 1_000_000_000 });

describe('lib/runner health rules', () => {
  it('uses Docker defaults: 30s interval and timeout, 5s start interval, 3 retries', () => {
    expect(healthTimings({ Test: ['CMD', 'x'] })).to.deep.equal({ intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, startIntervalMs: 5_000, retries: 3 });
  });

  it('turns healthy on the first success and unhealthy after `retries` failures in a row', () => {
    let state = initialHealth();
    state = nextHealthState(state, result(1), timings, 5000);
    expect(state).to.include({ Status: 'starting', FailingStreak: 1 });
    state = nextHealthState(state, result(0), timings, 5000);
    expect(state).to.include({ Status: 'healthy', FailingStreak: 0 });
    state = nextHealthState(state, result(1), timings, 5000);
    expect(state).to.include({ Status: 'healthy', FailingStreak: 1 });
    state = nextHealthState(state, result(-1), timings, 5000);
    expect(state).to.include({ Status: 'unhealthy', FailingStreak: 2 });
  });

  it('does not count failures while starting inside the start period', () => {
    const state = nextHealthState(nextHealthState(initialHealth(), result(1), timings, 100), result(1), timings, 200);
    expect(state).to.include({ Status: 'starting', FailingStreak: 0 });
    expect(state.Log).to.have.length(2);
  });

  it('keeps the last five results', () => {
    let state: HealthState = initialHealth();
    for (let i = 0; i < 7; i++) state = nextHealthState(state, { ...result(0), Output: String(i) }, timings, 5000);
    expect(state.Log.map((entry) => entry.Output)).to.deep.equal(['2', '3', '4', '5', '6']);
  });

  it('probes at the interval and reports a timed-out probe as exit -1 with Docker wording', async () => {
    const transitions: string[] = [];
    let calls = 0;
    const probe: Probe = async (_test, signal) => {
      calls++;
      if (calls >= 3) await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      return { exitCode: 0, output: 'ok\n' };
    };
    const monitor = new HealthMonitor({
      config: { Test: ['CMD', 'x'], Interval: 50_000_000, Timeout: 100_000_000, Retries: 1 },
      probe,
      onResult: (state, previous) => void transitions.push(`${previous.Status}->${state.Status}`),
    });
    monitor.start();
    await sleep(600);
    await monitor.stop();
    expect(transitions.slice(0, 3)).to.deep.equal(['starting->healthy', 'healthy->healthy', 'healthy->unhealthy']);
    expect(monitor.health.Log.at(-1)).to.include({ ExitCode: -1, Output: 'Health check exceeded timeout (100ms)' });
  });

  it('probes at the start interval while starting inside the start period, then at the interval', async () => {
    const times: number[] = [];
    const begin = Date.now();
    const monitor = new HealthMonitor({
      config: { Test: ['CMD', 'x'], Interval: 10_000_000_000, StartPeriod: 5_000_000_000, StartInterval: 50_000_000 },
      probe: async () => {
        times.push(Date.now() - begin);
        return { exitCode: times.length < 3 ? 1 : 0, output: '' };
      },
      onResult: () => undefined,
    });
    monitor.start();
    await sleep(500);
    await monitor.stop();
    // Two failures inside the start period do not count; the third probe heals; then the 10s interval.
    expect(times).to.have.length(3);
    expect(times[0]).to.be.below(200);
    expect(monitor.health).to.include({ Status: 'healthy', FailingStreak: 0 });
  });
});
