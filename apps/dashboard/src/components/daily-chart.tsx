import { useMemo } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TeamDaily } from '@switchyard/core';

/** Tasks (bars) and spend (line) per day, summed over the teams in `daily` (or one team). */
export function DailyChart({ daily, team, height = 240 }: { daily: TeamDaily; team?: string; height?: number }) {
  const data = useMemo(
    () =>
      daily.days.map((day, i) => {
        const rows = daily.teams.filter((t) => !team || t.team === team).map((t) => t.days[i]!);
        return { day: day.slice(5), tasks: rows.reduce((a, r) => a + r.tasks, 0), spend: Math.round(rows.reduce((a, r) => a + r.costUsd, 0) * 100) / 100 };
      }),
    [daily, team],
  );
  return (
    <div style={{ width: '100%', height }} data-testid="daily-chart">
      <ResponsiveContainer>
        <ComposedChart data={data} margin={{ top: 8, right: 0, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
          <XAxis dataKey="day" />
          <YAxis yAxisId="tasks" allowDecimals={false} />
          <YAxis yAxisId="usd" orientation="right" tickFormatter={(v: number) => `$${v}`} />
          <Tooltip />
          <Legend />
          <Bar yAxisId="tasks" dataKey="tasks" name="tasks" fill="#228be6" isAnimationActive={false} />
          <Line yAxisId="usd" dataKey="spend" name="spend (USD)" stroke="#e8590c" dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
