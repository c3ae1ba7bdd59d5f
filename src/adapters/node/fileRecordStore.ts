import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { applyRecordChanges, type RecordChanges } from '../../core/base/records';
import type { RecordStore } from '../../host/recordStore';

/** The log is rewritten from the live records once it is this large and twice their size. */
const COMPACT_AFTER_BYTES = 4 * 1024 * 1024;

/**
 * A Node agent's pBFT or Raft records in one append-only file, one file per store: each `persist` effect is one JSON line
 * (`{"p":[[key,value],…],"d":[key,…]}`), written and flushed to disk before `done`, so what a
 * replica sent never runs ahead of what it would read back after a crash. Read back by
 * replaying the lines; a last line cut short by a crash mid-write is ignored (its effect never
 * completed, so nothing was sent after it). Once the log is large, it is rewritten from the
 * live records (temp file, flush, rename).
 */
export class FileRecordStore implements RecordStore {
  /** The records as they stand (what a restart reads). */
  readonly records = new Map<string, string>();
  private fd: number;
  private logBytes = 0;

  constructor(private readonly path: string) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      this.replay(text);
      // A torn last line is cut off, so the next record starts on a line of its own.
      if (text.length > 0 && !text.endsWith('\n')) {
        const kept = text.slice(0, text.lastIndexOf('\n') + 1);
        truncateSync(path, Buffer.byteLength(kept, 'utf8'));
        this.logBytes = Buffer.byteLength(kept, 'utf8');
      }
    }
    this.fd = openSync(path, 'a');
  }

  write(persist: RecordChanges, done: () => void): void {
    applyRecordChanges(this.records, persist);
    this.append(lineOf(persist));
    if (this.logBytes > COMPACT_AFTER_BYTES && this.logBytes > 2 * this.liveBytes()) this.compact();
    done();
  }

  close(): void {
    closeSync(this.fd);
  }

  private append(line: string): void {
    const bytes = Buffer.from(line, 'utf8');
    writeSync(this.fd, bytes);
    fsyncSync(this.fd);
    this.logBytes += bytes.length;
  }

  private replay(text: string): void {
    const lines = text.split('\n');
    lines.forEach((line, index) => {
      if (line === '') return;
      try {
        const { p, d } = JSON.parse(line) as { p: [string, string][]; d: string[] };
        applyRecordChanges(this.records, {
          puts: p.map(([key, value]) => ({ key, value })),
          deletes: d,
        });
      } catch (error) {
        // Only the last line can be torn (a crash mid-append); anything else is a damaged file.
        if (index < lines.length - 1 && lines[index + 1] !== '') {
          throw new Error(
            `${this.path} line ${index + 1} is not a record (${String(error)}); move the file away to start empty`,
          );
        }
      }
    });
    this.logBytes = Buffer.byteLength(text, 'utf8');
  }

  private liveBytes(): number {
    let bytes = 0;
    for (const [key, value] of this.records) bytes += key.length + value.length + 8;
    return bytes;
  }

  private compact(): void {
    const temp = `${this.path}.tmp`;
    const line = lineOf({
      puts: [...this.records].map(([key, value]) => ({ key, value })),
      deletes: [],
    });
    const fd = openSync(temp, 'w');
    writeSync(fd, Buffer.from(line, 'utf8'));
    fsyncSync(fd);
    closeSync(fd);
    closeSync(this.fd);
    renameSync(temp, this.path);
    this.fd = openSync(this.path, 'a');
    this.logBytes = Buffer.byteLength(line, 'utf8');
  }
}

function lineOf(persist: RecordChanges): string {
  return `${JSON.stringify({ p: persist.puts.map((put) => [put.key, put.value]), d: persist.deletes })}\n`;
}
