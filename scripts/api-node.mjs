/** The API's V8 heap cap under `npm start` (SWITCHYARD_API_HEAP_MB), in MiB. */
export const API_HEAP_MB = 160;

/**
 * Node's memory flags for the API process: the old generation capped at `heapMb`, and young
 * semi-spaces of 8 MiB. The live heap is about 30 MB. Larger semi-spaces cost less GC (a
 * scavenge takes about 2 ms whatever their size, since the requests in flight survive it: with
 * 16 MiB scavenges took 8 µs per create at 64 clients, with 8 MiB 11–14), but with 16 the RSS
 * peaked at 202–206 MiB in full benchmark runs, and still at 186 MiB (195 MB) once the
 * reconciler held job ids instead of rows: too near the 200 MB goal. With 8, full runs peak at
 * 160–170 MiB.
 */
export function apiHeapArgs(heapMb) {
  return [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=8'];
}
