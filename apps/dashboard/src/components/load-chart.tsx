import { useMemo } from 'react';
import { Text } from '@mantine/core';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { WorkspaceSeries } from '@switchyard/core';

interface Point {
  t: number;
  queued: number;
  running: number;
}

/**
 * One step series of queue depth and running tasks: the sum over the given workspaces. Samples
 * are taken when load changes, so each workspace's last value holds until its next sample.
 */
export function loadSeries(series: WorkspaceSeries, only?: string): Point[] {
  const list = series.workspaces.filter((w) => !only || w.workspace === only);
  const times = [...new Set(list.flatMap((w) => w.samples.map((s) => Date.parse(s.ts))))].sort((a, b) => a - b);
  const until = Date.parse(series.until);
  if (times.length === 0 || times.at(-1)! < until) times.push(until);
  const cursor = list.map(() => -1);
  return times.map((t) => {
    let queued = 0;
    let running = 0;
    list.forEach((w, i) => {
      while (cursor[i]! + 1 < w.samples.length && Date.parse(w.samples[cursor[i]! + 1]!.ts) <= t) cursor[i]!++;
      const s = w.samples[cursor[i]!];
      queued += s?.queued ?? 0;
      running += s?.running ?? 0;
    });
    return { t, queued, running };
  });
}

const clock = (t: number) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** Queue depth and running tasks over the window of `series` (the last hour by default). */
export function LoadChart({ series, workspace, height = 220 }: { series: WorkspaceSeries; workspace?: string; height?: number }) {
  const data = useMemo(() => loadSeries(series, workspace), [series, workspace]);
  if (data.length < 2 && data.every((d) => d.queued === 0 && d.running === 0)) {
    return (
      <Text size="sm" c="dimmed">
        No load recorded in this window yet.
      </Text>
    );
  }
  return (
    <div style={{ width: '100%', height }} data-testid="load-chart">
      <ResponsiveContainer>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
          <XAxis dataKey="t" type="number" scale="time" domain={[Date.parse(series.since), Date.parse(series.until)]} tickFormatter={clock} />
          <YAxis allowDecimals={false} />
          <Tooltip labelFormatter={(t) => clock(Number(t))} />
          <Legend />
          <Line type="stepAfter" dataKey="queued" name="queued" stroke="#f59f00" dot={false} isAnimationActive={false} />
          <Line type="stepAfter" dataKey="running" name="running" stroke="#228be6" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
