import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { createClient, type Client } from '@switchyard/client';
import type { TokenView } from '@switchyard/core';

// The token lives in sessionStorage: it survives a reload of this tab, not the tab's closing,
// and it never goes into a URL (every request sends it in the Authorization header).
const KEY = 'switchyard.token';

export interface Session {
  client: Client;
  me: TokenView;
  isAdmin: boolean;
  /** Admins and members change things; viewers only read. */
  canWrite: boolean;
  signOut(): void;
}

interface SessionState {
  session: Session | null;
  signIn(token: string): Promise<void>;
  restore(): Promise<void>;
}

const Ctx = createContext<SessionState | null>(null);

export function clientFor(token: string): Client {
  return createClient({ url: window.location.origin, token });
}

/** Holds who is signed in; `restore` re-reads the token this tab kept. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const open = useCallback(async (token: string) => {
    const client = clientFor(token);
    const me = await client.me();
    sessionStorage.setItem(KEY, token);
    const signOut = () => {
      sessionStorage.removeItem(KEY);
      setSession(null);
    };
    setSession({ client, me, isAdmin: me.role === 'admin', canWrite: me.role === 'admin' || me.role === 'member', signOut });
  }, []);
  const restore = useCallback(async () => {
    const token = sessionStorage.getItem(KEY);
    if (!token) return;
    try {
      await open(token);
    } catch {
      sessionStorage.removeItem(KEY);
    }
  }, [open]);
  const value = useMemo(() => ({ session, signIn: open, restore }), [session, open, restore]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSessionState(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSessionState outside SessionProvider');
  return s;
}

/** The signed-in session; pages render only inside the signed-in shell. */
export function useSession(): Session {
  const s = useSessionState().session;
  if (!s) throw new Error('not signed in');
  return s;
}
