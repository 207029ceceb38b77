/** The API's V8 heap cap under `npm start` (SWITCHYARD_API_HEAP_MB), in MiB. */
export const API_HEAP_MB = 160;

/**
 * Node's memory flags for the API process: the old generation capped at `heapMb`, and young
 * semi-spaces of 8 MiB. The live heap is about 30 MB. Larger semi-spaces cost less GC (a
 * scavenge takes about 2 ms whatever their size, since the requests in flight survive it: 16 MiB
 * halved their number, 10 µs less per create), but with 16 the RSS reached 202–206 MiB in full
 * benchmark runs, over the 200 MB goal; with 8 V8 keeps about 80 MB of heap (RSS 170–190 MB).
 */
export function apiHeapArgs(heapMb) {
  return [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=8'];
}
