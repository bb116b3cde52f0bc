// A minimal LSP client over a child process's stdio (Node side): `yakkan lsp` spawned, spoken to
// in JSON-RPC with Content-Length framing. The protocol test and the bench drive the server
// through it, as an editor would.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../engine/loading/sources.js';

export interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export class LspClient {
  private buffer = Buffer.alloc(0);
  private readonly inbox: Message[] = [];
  private waiters: (() => void)[] = [];
  private nextId = 0;
  readonly exited: Promise<number | null>;

  constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => this.receive(d));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        resolve(code);
        this.wake();
      }),
    );
  }

  static start(args: string[] = [], env: NodeJS.ProcessEnv = process.env): LspClient {
    const bin = join(projectRoot(), 'bin', 'yakkan.js');
    return new LspClient(
      spawn(process.execPath, [bin, 'lsp', '--stdio', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env }),
    );
  }

  private receive(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      const head = this.buffer.indexOf('\r\n\r\n');
      if (head < 0) break;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, head).toString())?.[1]);
      if (this.buffer.length < head + 4 + length) break;
      this.inbox.push(JSON.parse(this.buffer.subarray(head + 4, head + 4 + length).toString('utf8')) as Message);
      this.buffer = this.buffer.subarray(head + 4 + length);
    }
    this.wake();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  send(message: Message): void {
    const body = JSON.stringify({ jsonrpc: '2.0', ...message });
    this.child.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  async request<T = unknown>(method: string, params: unknown): Promise<T> {
    const id = ++this.nextId;
    this.send({ id, method, params });
    const reply = await this.next((m) => m.id === id && m.method === undefined);
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result as T;
  }

  // The next message from the server that matches (those that do not stay for later calls).
  async next(match: (m: Message) => boolean): Promise<Message> {
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i >= 0) return this.inbox.splice(i, 1)[0]!;
      if (this.child.exitCode !== null) throw new Error(`the server exited (${this.child.exitCode})`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) {
      await this.request('shutdown', null);
      this.notify('exit', null);
    }
    return this.exited;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}
