/**
 * Progress for the demo and long CLI commands: one line per phase with the time the previous phase took, on a
 * terminal only (a pipe or a CI log stays quiet: the command's own output is the record).
 */
export interface Progress {
  phase(name: string): void;
  done(): void;
}

export function progressOn(stream: NodeJS.WritableStream & { isTTY?: boolean }): Progress {
  if (!stream.isTTY) return { phase: () => undefined, done: () => undefined };
  let current: { name: string; started: number } | null = null;
  const finish = (): void => {
    if (current) stream.write(`  ✓ ${current.name} (${((Date.now() - current.started) / 1000).toFixed(1)} s)\n`);
    current = null;
  };
  return {
    phase: (name) => {
      finish();
      current = { name, started: Date.now() };
      stream.write(`  … ${name}\n`);
    },
    done: finish,
  };
}

export const quietProgress: Progress = { phase: () => undefined, done: () => undefined };
