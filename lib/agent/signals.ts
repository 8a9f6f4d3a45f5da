// Process signals of the running agent: SIGINT/SIGTERM stop it cleanly (last flush, final counts), a
// second one while stopping exits at once; SIGHUP reloads the configuration. Handlers are removed by the
// returned function, so tests and embedders can install them around one run.

export interface SignalActions {
  /** Clean stop; resolves when done. */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Configuration reload. */
  reload(): Promise<unknown>;
  /** Called on a second SIGINT/SIGTERM during the stop: exit now. */
  forceExit(signal: NodeJS.Signals): void;
}

export function installSignalHandlers(actions: SignalActions, proc: NodeJS.Process = process): () => void {
  let stopping = false;
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      actions.forceExit(signal);
      return;
    }
    stopping = true;
    void actions.stop(signal);
  };
  const onHup = (): void => {
    if (!stopping) void actions.reload();
  };
  proc.on('SIGINT', onStop);
  proc.on('SIGTERM', onStop);
  proc.on('SIGHUP', onHup);
  return () => {
    proc.off('SIGINT', onStop);
    proc.off('SIGTERM', onStop);
    proc.off('SIGHUP', onHup);
  };
}
