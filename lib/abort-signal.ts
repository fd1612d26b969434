// A caller's AbortSignal, followed so that it reliably stops a build. Node 20 has a bug
// (nodejs/node#57736): a signal made by AbortSignal.any() holds its sources only weakly, so a
// source nothing else references (typically AbortSignal.timeout(ms)) can be garbage-collected
// before it fires, and the composite signal then never aborts, however many listeners it has.
// Listening on the sources themselves keeps Node from collecting them (a timeout signal with an
// abort listener is kept alive until it fires) and no longer depends on the composite being told.
// The sources are found through the composite's internal symbol; elsewhere this finds none and
// only the signal itself is followed.

/** An internal signal that aborts with the caller's; call dispose() when the work is done. */
export interface FollowedSignal {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** The source signals an AbortSignal.any() result was made from (Node's internal weak set), recursively. */
export function compositeSources(signal: AbortSignal, seen = new Set<AbortSignal>()): AbortSignal[] {
  const symbol = Object.getOwnPropertySymbols(signal).find((candidate) => candidate.description === 'kSourceSignals');
  const set: unknown = symbol === undefined ? undefined : (signal as unknown as Record<symbol, unknown>)[symbol];
  // Node's internal SafeSet and SafeWeakRef are not instances of the global classes: duck-type them.
  if (typeof (set as Iterable<unknown> | undefined)?.[Symbol.iterator] !== 'function') return [];
  const sources: AbortSignal[] = [];
  for (const ref of set as Iterable<unknown>) {
    const source: unknown = typeof (ref as WeakRef<object>)?.deref === 'function' ? (ref as WeakRef<object>).deref() : ref;
    if (!(source instanceof AbortSignal) || seen.has(source)) continue;
    seen.add(source);
    sources.push(source, ...compositeSources(source, seen));
  }
  return sources;
}

export function followSignal(signal: AbortSignal | undefined): FollowedSignal {
  const controller = new AbortController();
  if (signal === undefined) return { signal: controller.signal, dispose: () => undefined };
  const watched = [signal, ...compositeSources(signal)];
  const onAbort = function (this: AbortSignal): void {
    controller.abort(this.reason);
  };
  const dispose = (): void => {
    for (const source of watched) source.removeEventListener('abort', onAbort);
  };
  const already = watched.find((source) => source.aborted);
  if (already) controller.abort(already.reason);
  else for (const source of watched) source.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, dispose };
}
