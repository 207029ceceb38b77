export declare const API_HEAP_MB: number;
export declare function apiHeapArgs(heapMb: number): string[];
