import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ApprovalFilter } from '@switchyard/client';
import type { ApprovalView } from '@switchyard/core';
import { useFleetEvents } from '../lib/fleet-events.tsx';
import { useSession } from '../lib/session.tsx';
import { matches, upsert } from './model.ts';

export interface LiveApprovals {
  /** Oldest first. */
  list: ApprovalView[];
  loaded: boolean;
  error: unknown;
  /** Shows an approval as the API just returned it, before its event arrives. */
  put(a: ApprovalView): void;
}

/**
 * The approvals matching `filter`, loaded once and on every (re)connect of `/v1/events`, then
 * kept current by its `approval` events: no polling. Events that arrive while a load is in
 * flight are replayed on top of its answer, so a change is never lost to the race.
 */
export function useLiveApprovals(filter: ApprovalFilter): LiveApprovals {
  const { client } = useSession();
  const [state, setState] = useState<{ list: ApprovalView[]; loaded: boolean; error: unknown }>({ list: [], loaded: false, error: null });
  const key = JSON.stringify(filter);
  const loading = useRef<{ generation: number; seen: ApprovalView[] | null }>({ generation: 0, seen: null });
  const put = useCallback(
    (a: ApprovalView) => {
      loading.current.seen?.push(a);
      const f = JSON.parse(key) as ApprovalFilter;
      setState((s) => ({ ...s, list: upsert(s.list, a).filter((x) => matches(f, x)) }));
    },
    [key],
  );
  const load = useCallback(() => {
    const mine = ++loading.current.generation;
    loading.current.seen = [];
    const f = JSON.parse(key) as ApprovalFilter;
    client.approvals(f).then(
      (fresh) => {
        if (mine !== loading.current.generation) return;
        const list = (loading.current.seen ?? []).reduce(upsert, fresh.reduce(upsert, [] as ApprovalView[])).filter((x) => matches(f, x));
        loading.current.seen = null;
        setState({ list, loaded: true, error: null });
      },
      (error: unknown) => mine === loading.current.generation && setState((s) => ({ ...s, error })),
    );
  }, [client, key]);
  useEffect(load, [load]);
  useFleetEvents((e) => {
    if (e.type === 'ready') load();
    else if (e.type === 'approval') put(e.data);
  });
  return { ...state, put };
}

const Ctx = createContext<LiveApprovals | null>(null);

/** The pending approvals this token can see, for the navigation's count and the inbox. */
export function PendingApprovalsProvider({ children }: { children: ReactNode }) {
  const live = useLiveApprovals({ status: 'pending', limit: 500 });
  return <Ctx.Provider value={live}>{children}</Ctx.Provider>;
}

export function usePendingApprovals(): LiveApprovals {
  const v = useContext(Ctx);
  if (!v) throw new Error('usePendingApprovals outside PendingApprovalsProvider');
  return v;
}
