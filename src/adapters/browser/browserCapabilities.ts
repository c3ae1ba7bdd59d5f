import type { Capabilities } from '../../core/tasks/auction';

/** A tab's facts for task auctions, plus the tags it declares. */
export function browserCapabilities(tags: readonly string[] = []): Capabilities {
  // deviceMemory is Chromium-only (and coarse: 0.25 to 8 GiB); elsewhere it is not told.
  const { deviceMemory } = navigator as Navigator & { deviceMemory?: number };
  return {
    cores: navigator.hardwareConcurrency || 1,
    memoryGb: typeof deviceMemory === 'number' ? deviceMemory : null,
    webgpu: 'gpu' in navigator,
    tags: [...tags],
  };
}
