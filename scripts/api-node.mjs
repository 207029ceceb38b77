/** The API's V8 heap cap under `npm start` (SWITCHYARD_API_HEAP_MB), in MiB. */
export const API_HEAP_MB = 160;

/**
 * Node's memory flags for the API process: the old generation capped at `heapMb`, and young
 * semi-spaces of 8 MiB instead of 16. The live heap is about 30 MB; with 16 MiB semi-spaces V8
 * kept 110 MB of heap and the RSS passed 200 MB under the benchmark's loads, with 8 it keeps
 * about 80 MB (RSS 170 MB) for the same CPU per request.
 */
export function apiHeapArgs(heapMb) {
  return [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=8'];
}
