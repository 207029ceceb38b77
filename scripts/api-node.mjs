/** The API's V8 heap cap under `npm start` (SWITCHYARD_API_HEAP_MB), in MiB. */
export const API_HEAP_MB = 160;

/**
 * Node's memory flags for the API process: the old generation capped at `heapMb`, and young
 * semi-spaces of 16 MiB. The live heap is about 30 MB. A scavenge takes about 2 ms whatever the
 * semi-space size, since the requests in flight survive it, so larger semi-spaces cost less GC:
 * at 64 clients of creates, scavenges took 11–14 µs per create with 8 MiB and 8 µs with 16
 * (side by side, two runs each). 16 was once given up for RSS (202–206 MiB in full benchmark
 * runs, over the 200 MB goal), which came from the reconciler holding every queued row; since it
 * holds job ids, full runs peak near 175 MiB with 16.
 */
export function apiHeapArgs(heapMb) {
  return [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=16'];
}
