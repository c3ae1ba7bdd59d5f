import { describe, expect, it } from 'vitest';
import { effectiveMaxConnections, openFilesLimit, parseOpenFilesLimit } from './descriptorLimit';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            2048                 524288               files
`;

describe('descriptor limit', () => {
  it('reads the soft open-files limit', () => {
    expect(parseOpenFilesLimit(LIMITS)).toBe(2048);
    expect(parseOpenFilesLimit(LIMITS.replace('2048', 'unlimited'))).toBeNull();
    expect(parseOpenFilesLimit('nothing here')).toBeNull();
  });

  it('reads this process limit on Linux', () => {
    const limit = openFilesLimit();
    if (process.platform === 'linux') expect(limit).toBeGreaterThan(0);
    else expect(limit).toBeNull();
  });

  it('keeps the configured limit when descriptors allow it, else holds below them', () => {
    expect(effectiveMaxConnections(2048, 1_048_576)).toEqual({
      maxConnections: 2048,
      warning: null,
    });
    expect(effectiveMaxConnections(2048, null).maxConnections).toBe(2048);
    const held = effectiveMaxConnections(2048, 2048);
    expect(held.maxConnections).toBe(1920);
    expect(held.warning).toContain('ulimit -n');
  });
});
