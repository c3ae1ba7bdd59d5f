import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { fileDocPersistence } from './fileDocPersistence';

describe('fileDocPersistence', () => {
  it('keeps a document across runs, written when the agent stops', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'doc-')), 'state.bin');
    const first = new Y.Doc();
    const saved = fileDocPersistence(path)(first);
    first.getMap('m').set('kept', { across: 'runs' });
    void saved.destroy();
    const second = new Y.Doc();
    const loaded = fileDocPersistence(path)(second);
    expect(loaded.loadedAtOnce).toBe(true);
    expect(second.getMap('m').toJSON()).toEqual({ kept: { across: 'runs' } });
    void loaded.destroy();
  });

  it('refuses a file that is not a saved document, naming it, and leaves it alone', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'doc-')), 'state.bin');
    writeFileSync(path, 'not a yjs update at all');
    expect(() => fileDocPersistence(path)(new Y.Doc())).toThrow(/state\.bin is not a saved/);
    expect(readFileSync(path, 'utf8')).toBe('not a yjs update at all');
  });
});
