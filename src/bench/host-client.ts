import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { HostCalls, HostMethod, HostReply, HostRequest } from './protocol';

/** The benchmark's side of the sandbox host: forks it and turns its IPC replies into promises. */
export class SandboxHost {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: HostReply) => {
      const pending = this.waiting.get(reply.id);
      if (!pending) return;
      this.waiting.delete(reply.id);
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new Error(`sandbox host: ${reply.error}`));
    });
    child.on('exit', (code) => {
      for (const pending of this.waiting.values()) pending.reject(new Error(`sandbox host exited with ${code}`));
      this.waiting.clear();
    });
  }

  /** `maxOldSpaceMb` sizes the host's heap: a million-order Klaviyo sandbox holds every event it was sent. */
  static spawn(maxOldSpaceMb: number): SandboxHost {
    const child = fork(join(__dirname, 'sandbox-host.js'), [], {
      execArgv: [`--max-old-space-size=${maxOldSpaceMb}`],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new SandboxHost(child);
  }

  call<M extends HostMethod>(method: M, params: HostCalls[M]['params']): Promise<HostCalls[M]['result']> {
    const id = this.nextId++;
    const request: HostRequest<M> = { id, method, params };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: (value) => resolve(value as HostCalls[M]['result']), reject });
      this.child.send(request);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.call('close', {}).catch(() => undefined);
    await exited;
  }
}
