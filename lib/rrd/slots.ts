// Slot <-> time mapping of a chart's ring (SPEC §1.4). All dimensions of a chart share it, so these work on
// the chart's META_* array alone.
import { META_COUNTER, META_CURRENT_ENTRY, META_ENTRIES, META_LAST_UPDATED, META_UPDATE_EVERY } from '../kernels/types';

/** Index of the newest stored slot: current_entry − 1, wrapping to entries − 1. */
export function lastSlot(meta: Float64Array): number {
  const cur = meta[META_CURRENT_ENTRY];
  return cur === 0 ? meta[META_ENTRIES] - 1 : cur - 1;
}

/** Index of the oldest slot: current_entry once the ring has wrapped (counter ≥ entries), else 0. */
export function firstSlot(meta: Float64Array): number {
  return meta[META_COUNTER] >= meta[META_ENTRIES] ? meta[META_CURRENT_ENTRY] : 0;
}

/** latest_time(): the timestamp of the newest stored slot. */
export function lastEntryTime(meta: Float64Array): number {
  return meta[META_LAST_UPDATED];
}

/**
 * oldest_time(): last_t − min(counter, entries) × ue. As SPEC §1.4 notes this is one `ue` older than the
 * oldest slot that holds data; both map to the first slot, so the exporter is unaffected.
 */
export function firstEntryTime(meta: Float64Array): number {
  return meta[META_LAST_UPDATED] - Math.min(meta[META_COUNTER], meta[META_ENTRIES]) * meta[META_UPDATE_EVERY];
}

/** rrdset_time2slot (SPEC §1.4), for the non-negative timestamps the database holds. */
export function timeToSlot(meta: Float64Array, t: number): number {
  const entries = meta[META_ENTRIES];
  const lastT = lastEntryTime(meta);
  let slot: number;
  if (t >= lastT) slot = lastSlot(meta);
  else if (t <= firstEntryTime(meta)) slot = firstSlot(meta);
  else {
    const k = Math.floor((lastT - t) / meta[META_UPDATE_EVERY]);
    slot = lastSlot(meta) - k;
    if (slot < 0) slot += entries;
  }
  return slot >= entries ? entries - 1 : slot;
}

/**
 * The correct inverse the reference lacks (its rrdset_slot2time is buggy and unused by the exporter,
 * SPEC §1.4): the time a slot represents, counting back from the newest slot.
 */
export function slotToTime(meta: Float64Array, slot: number): number {
  const entries = meta[META_ENTRIES];
  const back = (lastSlot(meta) - slot + entries) % entries;
  return meta[META_LAST_UPDATED] - back * meta[META_UPDATE_EVERY];
}
