import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { FleetEvent } from '@switchyard/client';
import { useSession } from './session.tsx';

type Listener = (e: FleetEvent) => void;

interface FleetBus {
  connected: boolean;
  subscribe(fn: Listener): () => void;
}

const Ctx = createContext<FleetBus | null>(null);

/**
 * One `/v1/events` stream for the whole app, read with fetch (the token stays in a header) and
 * shared by every page through subscribe. After a reconnect, listeners hear `ready` again and
 * reload what they show, since fleet events have no ids to resume from.
 */
export function FleetEventsProvider({ children }: { children: ReactNode }) {
  const { client } = useSession();
  const listeners = useRef(new Set<Listener>());
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const ctrl = new AbortController();
    void (async () => {
      try {
        for await (const e of client.fleetEvents({ signal: ctrl.signal })) {
          if (e.type === 'ready') setConnected(true);
          if (e.type === 'reconnect') setConnected(false);
          for (const fn of listeners.current) fn(e);
        }
      } catch {
        setConnected(false);
      }
    })();
    return () => ctrl.abort();
  }, [client]);
  const bus = useRef<FleetBus>({ connected, subscribe: () => () => undefined });
  bus.current = {
    connected,
    subscribe(fn) {
      listeners.current.add(fn);
      return () => listeners.current.delete(fn);
    },
  };
  return <Ctx.Provider value={bus.current}>{children}</Ctx.Provider>;
}

/** Calls `fn` for every fleet event; `fn` may change between renders. */
export function useFleetEvents(fn: Listener): boolean {
  const bus = useContext(Ctx);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => bus?.subscribe((e) => latest.current(e)), [bus]);
  return bus?.connected ?? false;
}

/**
 * Calls `reload` when the fleet changes in a way `matters` says is relevant: at once, then at
 * most once a second while changes keep coming (a busy fleet never starves the page).
 */
export function useReloadOnFleet(reload: () => void, matters: (e: FleetEvent) => boolean = () => true): boolean {
  const state = useRef<{ timer?: ReturnType<typeof setTimeout>; last: number }>({ last: 0 });
  useEffect(() => () => clearTimeout(state.current.timer), []);
  return useFleetEvents((e) => {
    if (e.type === 'reconnect' || (e.type !== 'ready' && !matters(e)) || state.current.timer) return;
    const wait = Math.max(100, state.current.last + 1000 - Date.now());
    state.current.timer = setTimeout(() => {
      state.current = { last: Date.now() };
      reload();
    }, wait);
  });
}
