import { useCallback, useEffect, useRef, useState } from 'react';
import type { Client } from '@switchyard/client';
import type { TaskView } from '@switchyard/core';
import { Transcript } from './transcript-model.ts';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended';

/**
 * A task and its transcript, live: `GET /v1/tasks/:id/events` read as SSE from a fetch body (the
 * token stays in the Authorization header; EventSource cannot send one) through the client's
 * followTask, which resumes with Last-Event-ID after a drop and fills any hole from the JSON
 * page. `restart` follows again after a follow-up queued a new turn.
 */
export function useTaskStream(client: Client, id: string) {
  const [task, setTask] = useState<TaskView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [state, setState] = useState<StreamState>('connecting');
  const [, setVersion] = useState(0);
  const [generation, setGeneration] = useState(0);
  const transcript = useRef(new Transcript());
  const currentId = useRef(id);
  if (currentId.current !== id) {
    currentId.current = id;
    transcript.current = new Transcript();
  }

  useEffect(() => {
    const ctrl = new AbortController();
    let flush: ReturnType<typeof setTimeout> | undefined;
    const bump = () => {
      flush ??= setTimeout(() => {
        flush = undefined;
        setVersion((v) => v + 1);
      }, 50);
    };
    const refresh = () => client.tasks.get(id).then((t) => !ctrl.signal.aborted && setTask(t), () => undefined);
    void (async () => {
      try {
        const first = await client.tasks.get(id);
        setTask(first);
        const stream = client.tasks.follow(id, {
          after: transcript.current.lastSeq,
          untilTurn: first.turns.length,
          signal: ctrl.signal,
          onConnected: () => setState('live'),
        });
        for await (const e of stream) {
          if (e.type === 'line') {
            transcript.current.push(e.seq, e.line);
            bump();
          } else if (e.type === 'status') void refresh();
          else if (e.type === 'reconnect') setState('reconnecting');
          else if (e.type === 'end') {
            setTask(e.task);
            setState('ended');
          }
        }
      } catch (err) {
        if (!ctrl.signal.aborted) setError(err);
      }
    })();
    return () => {
      ctrl.abort();
      clearTimeout(flush);
    };
  }, [client, id, generation]);

  const restart = useCallback((t?: TaskView) => {
    if (t) setTask(t);
    setState('connecting');
    setGeneration((g) => g + 1);
  }, []);
  return { task, error, state, transcript: transcript.current, restart, setTask };
}
