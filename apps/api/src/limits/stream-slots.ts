import { TooManyRequestsError } from './too-many.ts';

/** Open live streams (task output and fleet events) per token, capped. */
export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly perToken: number) {}

  /** Takes a slot for `tokenId` or throws 429; the returned function gives it back (once). */
  acquire(tokenId: string): () => void {
    const n = this.open.get(tokenId) ?? 0;
    if (n >= this.perToken) {
      throw new TooManyRequestsError(`this token already has ${n} live streams open; close one first`, 5, { limit: this.perToken });
    }
    this.open.set(tokenId, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(tokenId) ?? 1) - 1;
      if (left > 0) this.open.set(tokenId, left);
      else this.open.delete(tokenId);
    };
  }
}
