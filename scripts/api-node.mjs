/** The API's V8 heap cap under `npm start` (SWITCHYARD_API_HEAP_MB), in MiB. */
export const API_HEAP_MB = 160;

/**
 * Node's memory flags for the API process: the old generation capped at `heapMb`, and young
 * semi-spaces of 16 MiB. A create's objects die young, but the 64 requests in flight survive
 * each scavenge, so a scavenge costs about 2 ms whatever the semi-space size: 8 MiB meant twice as
 * many of them, 10 µs more per create (GC observer, 20,000 creates: 449 ms in 215 scavenges
 * against 249 ms in 108). 32 MiB saved 4 µs more but took the RSS past 200 MiB under streaming.
 */
export function apiHeapArgs(heapMb) {
  return [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=16'];
}
