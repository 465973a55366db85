import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../process/wait.js';

/**
 * A real SMTP server on loopback that keeps what it receives: the development mailbox of `npm start`
 * and the inbox of the tests (services send to it through nodemailer exactly as to a real one).
 * Messages are read over a small HTTP API (`GET /messages[?to=address]`, JSON; `GET /` as a page), so
 * test workers and people in a browser read the same inbox. With `control`, `POST /smtp/stop` and
 * `POST /smtp/start` take the SMTP side down and back up on the same port (mail-outage tests).
 */
export interface CapturedMail {
  id: number;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** `X-Twofold-Kind` (`code.sign_in`, `notice.reset`, …). */
  kind: string | null;
  /** The 6-digit code on a line of its own, when the mail carries one. */
  code: string | null;
  receivedAt: string;
}

export interface MailboxOptions {
  /** SMTP port on 127.0.0.1; a free one when omitted. */
  smtpPort?: number;
  /** HTTP port of the reading API on 127.0.0.1; a free one when omitted. */
  httpPort?: number;
  /** Also write each message as `<dir>/<id>.json`. */
  dir?: string;
  /** Allow the stop/start endpoints. */
  control?: boolean;
  onMail?: (mail: CapturedMail) => void;
}

export function codeOf(text: string): string | null {
  return /^\s*(\d{6})\s*$/m.exec(text)?.[1] ?? null;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase())).filter(Boolean);
}

export class Mailbox {
  readonly messages: CapturedMail[] = [];
  private smtp?: SMTPServer;
  private http?: Server;
  private nextId = 1;

  private constructor(
    readonly smtpPort: number,
    private readonly options: MailboxOptions,
  ) {}

  static async start(options: MailboxOptions = {}): Promise<Mailbox> {
    const mailbox = new Mailbox(options.smtpPort ?? (await freePort()), options);
    if (options.dir) mkdirSync(options.dir, { recursive: true });
    await mailbox.startSmtp();
    await mailbox.startHttp(options.httpPort ?? (await freePort()));
    return mailbox;
  }

  get smtpUrl(): string {
    return `smtp://127.0.0.1:${this.smtpPort}`;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${(this.http!.address() as AddressInfo).port}`;
  }

  get smtpRunning(): boolean {
    return this.smtp !== undefined;
  }

  async startSmtp(): Promise<void> {
    if (this.smtp) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 1024 * 1024,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const text = parsed.text ?? '';
            const kind = parsed.headers.get('x-twofold-kind');
            this.store({
              id: this.nextId++,
              from: addresses(parsed.from)[0] ?? '',
              to: addresses(parsed.to),
              subject: parsed.subject ?? '',
              text,
              html: typeof parsed.html === 'string' ? parsed.html : '',
              kind: typeof kind === 'string' ? kind : null,
              code: codeOf(text),
              receivedAt: new Date().toISOString(),
            });
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.smtpPort, '127.0.0.1', () => resolve());
    });
    this.smtp = server;
  }

  /** Stops accepting mail (connections are refused) until `startSmtp`. */
  async stopSmtp(): Promise<void> {
    const server = this.smtp;
    this.smtp = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000); // lingering client connections must not hold the test
      server.close(() => (clearTimeout(timer), resolve()));
    });
  }

  async stop(): Promise<void> {
    await this.stopSmtp();
    const http = this.http;
    if (!http) return;
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeAllConnections(); // keep-alive readers must not hold the stop
    await closed;
  }

  to(address: string): CapturedMail[] {
    const wanted = address.toLowerCase();
    return this.messages.filter((m) => m.to.includes(wanted));
  }

  private store(mail: CapturedMail): void {
    this.messages.push(mail);
    if (this.options.dir) writeFileSync(join(this.options.dir, `${String(mail.id).padStart(6, '0')}.json`), `${JSON.stringify(mail, null, 2)}\n`);
    this.options.onMail?.(mail);
  }

  private async startHttp(port: number): Promise<void> {
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.http = server;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mailbox');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/messages') {
      const to = url.searchParams.get('to');
      return json(200, to ? this.to(to) : this.messages);
    }
    if (req.method === 'POST' && this.options.control && url.pathname === '/smtp/stop') return (await this.stopSmtp(), json(200, { running: false }));
    if (req.method === 'POST' && this.options.control && url.pathname === '/smtp/start') return (await this.startSmtp(), json(200, { running: true }));
    if (req.method === 'GET' && url.pathname === '/') {
      const rows = [...this.messages]
        .reverse()
        .map((m) => `<tr><td>${escape(m.receivedAt)}</td><td>${escape(m.to.join(', '))}</td><td>${escape(m.subject)}</td><td><b>${escape(m.code ?? '')}</b></td><td><details><summary>text</summary><pre>${escape(m.text)}</pre></details></td></tr>`)
        .join('\n');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><meta charset="utf-8"><title>Twofold development mailbox</title><meta http-equiv="refresh" content="5">
<style>body{font-family:system-ui,sans-serif;margin:24px}td,th{padding:4px 10px;text-align:left;vertical-align:top;border-bottom:1px solid #ddd}</style>
<h1>Twofold development mailbox</h1><p>${this.messages.length} message(s); newest first; JSON at <a href="/messages">/messages</a>.</p>
<table><tr><th>received</th><th>to</th><th>subject</th><th>code</th><th></th></tr>${rows}</table>`,
      );
      return;
    }
    json(404, { error: 'not found' });
  }
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Reads a mailbox over its HTTP API (from any process: a test worker, a script). */
export class MailboxClient {
  constructor(readonly httpUrl: string) {}

  async messagesTo(address: string): Promise<CapturedMail[]> {
    const response = await fetch(`${this.httpUrl}/messages?to=${encodeURIComponent(address)}`, { signal: AbortSignal.timeout(5_000) });
    return (await response.json()) as CapturedMail[];
  }

  /** Waits for the first mail to `address` (after the first `skip`) that passes `match`. */
  async waitFor(address: string, match: (mail: CapturedMail) => boolean = () => true, options: { timeoutMs?: number; after?: number } = {}): Promise<CapturedMail> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const found = (await this.messagesTo(address)).find((m) => m.id > (options.after ?? 0) && match(m));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no mail to ${address} matching within ${options.timeoutMs ?? 10_000} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The highest message id so far: pass it as `after` to wait only for newer mail. */
  async lastId(): Promise<number> {
    const response = await fetch(`${this.httpUrl}/messages`, { signal: AbortSignal.timeout(5_000) });
    const all = (await response.json()) as CapturedMail[];
    return all.at(-1)?.id ?? 0;
  }

  async stopSmtp(): Promise<void> {
    await fetch(`${this.httpUrl}/smtp/stop`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
  }

  async startSmtp(): Promise<void> {
    await fetch(`${this.httpUrl}/smtp/start`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
  }
}
