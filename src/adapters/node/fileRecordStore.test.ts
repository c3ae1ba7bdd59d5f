import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRecordStore } from './fileRecordStore';

const folders: string[] = [];
function tempFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'pbft-storage-'));
  folders.push(folder);
  return join(folder, 'replica.log');
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('FileRecordStore', () => {
  it('a key deleted and written in one change is written, now and after a restart', () => {
    // A Raft log cut at an index and written anew there in the same step.
    const path = tempFile();
    const first = new FileRecordStore(path);
    first.write({ puts: [{ key: 'entry:5', value: 'old' }], deletes: [] }, () => undefined);
    first.write(
      { puts: [{ key: 'entry:5', value: 'new' }], deletes: ['entry:5'] },
      () => undefined,
    );
    expect(first.records.get('entry:5')).toBe('new');
    first.close();
    expect(new FileRecordStore(path).records.get('entry:5')).toBe('new');
  });

  it('reads back what was written, deletes included, after a restart', () => {
    const path = tempFile();
    const first = new FileRecordStore(path);
    let acknowledged = 0;
    first.write(
      {
        puts: [
          { key: 'meta', value: '{"view":1}' },
          { key: 'slot:1', value: '{}' },
        ],
        deletes: [],
      },
      () => acknowledged++,
    );
    first.write(
      { puts: [{ key: 'stable', value: '{"seq":1}' }], deletes: ['slot:1'] },
      () => acknowledged++,
    );
    first.close();
    expect(acknowledged).toBe(2);
    const again = new FileRecordStore(path);
    expect([...again.records]).toEqual([
      ['meta', '{"view":1}'],
      ['stable', '{"seq":1}'],
    ]);
    again.close();
  });

  it('ignores a last line cut short by a crash, and refuses a damaged file', () => {
    const path = tempFile();
    const storage = new FileRecordStore(path);
    storage.write({ puts: [{ key: 'meta', value: 'a' }], deletes: [] }, () => undefined);
    storage.close();
    appendFileSync(path, '{"p":[["meta","b"');
    const afterCrash = new FileRecordStore(path);
    expect(afterCrash.records.get('meta')).toBe('a');
    // It goes on writing after the torn line was cut off, and reads back cleanly again.
    afterCrash.write({ puts: [{ key: 'meta', value: 'c' }], deletes: [] }, () => undefined);
    afterCrash.close();
    const later = new FileRecordStore(path);
    expect(later.records.get('meta')).toBe('c');
    later.close();
    writeFileSync(path, 'garbage\n{"p":[],"d":[]}\n');
    expect(() => new FileRecordStore(path)).toThrow(/line 1 is not a record/);
  });

  it('rewrites a large log from its live records and keeps them', () => {
    const path = tempFile();
    const storage = new FileRecordStore(path);
    const value = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 200; i++) {
      storage.write(
        { puts: [{ key: `slot:${i}`, value }], deletes: i > 0 ? [`slot:${i - 1}`] : [] },
        () => undefined,
      );
    }
    storage.close();
    // 200 writes of 64 KiB would be 12.8 MB; compaction keeps the file near the live size.
    expect(readFileSync(path).length).toBeLessThan(5 * 1024 * 1024);
    const again = new FileRecordStore(path);
    expect([...again.records.keys()]).toEqual(['slot:199']);
    again.close();
  });
});
