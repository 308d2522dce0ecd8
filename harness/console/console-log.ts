import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { LogFile } from '../util/log-file.js';
import type { FileWriteError } from '../util/write-error.js';
import { cleanConsoleLine } from './clean-text.js';

export interface ConsoleLine {
  /** Milliseconds since the console log was opened (the machine's start). */
  tMs: number;
  text: string;
}

export interface ConsoleLogOptions {
  /** Every byte as the guest wrote it. */
  rawPath?: string;
  /** The cleaned lines, each with its time since the start. */
  cleanPath?: string;
  /** Time origin (Date.now() based); defaults to now. */
  startedAtMs?: number;
}

/**
 * Serial console bytes -> clean, timestamped lines. Emits 'line' for every completed line and
 * 'partial' whenever the unterminated last line changes (prompts such as "login: " never end
 * with a newline). Knows nothing about QEMU: feed it bytes with push().
 */
export class ConsoleLog extends EventEmitter<{ line: [ConsoleLine]; partial: [string] }> {
  readonly lines: ConsoleLine[] = [];
  readonly startedAtMs: number;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private readonly raw?: LogFile;
  private readonly clean?: LogFile;
  /**
   * Settles with the first write of either file that failed (a full disk): the lines go on in
   * memory, but the files on disk are incomplete from there on. Never settles otherwise.
   */
  readonly writeFailed: Promise<FileWriteError>;

  constructor(private readonly options: ConsoleLogOptions = {}) {
    super();
    this.startedAtMs = options.startedAtMs ?? Date.now();
    if (options.rawPath) this.raw = new LogFile(options.rawPath);
    if (options.cleanPath) this.clean = new LogFile(options.cleanPath);
    this.writeFailed = Promise.race(this.files.map((f) => f.failed));
  }

  private get files(): LogFile[] {
    return [this.raw, this.clean].filter((f) => f !== undefined);
  }

  /** The failed write of each file that had one. */
  get writeErrors(): FileWriteError[] {
    return this.files.flatMap((f) => (f.failure ? [f.failure] : []));
  }

  get rawPath(): string | undefined {
    return this.options.rawPath;
  }
  get cleanPath(): string | undefined {
    return this.options.cleanPath;
  }
  push(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.raw?.write(buffer);
    this.pending += this.decoder.write(buffer);
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const rawLine = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      this.addLine(cleanConsoleLine(rawLine));
    }
    if (this.pending) this.emit('partial', this.partial);
  }

  /** The current unterminated line, cleaned (a prompt waiting for input, for instance). */
  get partial(): string {
    return cleanConsoleLine(this.pending, { partial: true });
  }

  /** The last `count` non-empty lines, with the partial line if there is one. */
  tail(count = 30): string[] {
    const out: string[] = [];
    const partial = this.partial;
    if (partial) out.push(partial);
    for (let i = this.lines.length - 1; i >= 0 && out.length < count; i--) {
      const text = this.lines[i]!.text;
      if (text.trim()) out.push(text);
    }
    return out.reverse();
  }

  /** Ends the log: the partial line becomes a line, files are flushed. */
  async close(): Promise<void> {
    this.pending += this.decoder.end();
    if (this.pending) {
      this.addLine(cleanConsoleLine(this.pending));
      this.pending = '';
    }
    await Promise.all(this.files.map((f) => f.end()));
  }

  private addLine(text: string): void {
    const line: ConsoleLine = { tMs: Date.now() - this.startedAtMs, text };
    this.lines.push(line);
    if (text) this.clean?.write(`[${(line.tMs / 1000).toFixed(3).padStart(8)}] ${text}\n`);
    this.emit('line', line);
  }
}
