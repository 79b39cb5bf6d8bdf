import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';

/**
 * Real second processes for the state tests, without a build: `src/state` is transpiled file by file (the project
 * compiles with isolatedModules, so each file transpiles alone) into a temporary directory, and a child runs the
 * given script against it, resolving packages from the repository's node_modules.
 */
const ROOT = resolve(__dirname, '../..');
let compiled: string | undefined;

function compileState(): string {
  if (compiled) return compiled;
  const out = mkdtempSync(join(tmpdir(), 'shipsignal-state-js-'));
  const from = join(ROOT, 'src/state');
  mkdirSync(join(out, 'state'));
  for (const file of readdirSync(from).filter((name) => name.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(from, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    writeFileSync(join(out, 'state', file.replace(/\.ts$/, '.js')), outputText);
  }
  compiled = out;
  return out;
}

/** Forks a child running `body` (CommonJS; `state` is the compiled src/state directory, `send` talks to the parent). */
export function forkStateChild(body: string, env: Record<string, string> = {}): ChildProcess {
  const dir = compileState();
  const script = join(dir, `child-${process.hrtime.bigint()}.js`);
  writeFileSync(script, `const state = ${JSON.stringify(join(dir, 'state'))};\nconst send = (m) => process.send(m);\n(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exit(1); });\n`);
  return fork(script, [], { env: { ...process.env, ...env, NODE_PATH: join(ROOT, 'node_modules') }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The next message from `child` satisfying `accept`; rejects if the child exits first. */
export function nextMessage<T>(child: ChildProcess, accept: (message: unknown) => message is T): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const onMessage = (message: unknown) => {
      if (!accept(message)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolvePromise(message);
    };
    const onExit = (code: number | null) => reject(new Error(`state child exited (${code}) before answering`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolvePromise) => child.once('exit', (code) => resolvePromise(code)));
}
