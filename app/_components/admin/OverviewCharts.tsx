"use client";

import { useMounted } from "../useMounted";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type DailyActivity = { date: string; signUps: number; signIns: number; failedSignIns: number };

// Charts render in the browser only (useMounted): recharts measures its container and sets inline
// styles. The box keeps its height either way, so nothing shifts when they appear.

const axis = { stroke: "var(--muted-foreground)", fontSize: 12, tickLine: false } as const;
const tooltipStyle = {
  contentStyle: { background: "var(--card)", border: "1px solid var(--border)", borderRadius: 8, color: "var(--card-foreground)" },
  labelStyle: { color: "var(--muted-foreground)" },
} as const;

function shortDay(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

/** Sign-ups and sign-ins per day (last 30 days). Colours come from the theme's CSS variables: readable light and dark. */
export function ActivityChart({ daily }: { daily: DailyActivity[] }) {
  const mounted = useMounted();
  return (
    <figure className="h-72 w-full" aria-label="Sign-ups, sign-ins and failed sign-ins per day over the last 30 days">
      {mounted ? (
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={daily} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid stroke="var(--border)" vertical={false} />
            <XAxis dataKey="date" tickFormatter={shortDay} {...axis} minTickGap={24} />
            <YAxis allowDecimals={false} {...axis} />
            <Tooltip labelFormatter={(value) => shortDay(String(value))} {...tooltipStyle} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Line type="monotone" dataKey="signIns" name="Sign-ins" stroke="var(--brand-primary)" strokeWidth={2} dot={false} />
            <Line type="monotone" dataKey="signUps" name="Sign-ups" stroke="var(--success)" strokeWidth={2} dot={false} />
            <Line type="monotone" dataKey="failedSignIns" name="Failed sign-ins" stroke="var(--destructive)" strokeWidth={2} dot={false} strokeDasharray="4 3" />
          </LineChart>
        </ResponsiveContainer>
      ) : null}
    </figure>
  );
}

/** How people signed in over the last 30 days. */
export function MethodsChart({ methods }: { methods: { method: string; count: number }[] }) {
  const mounted = useMounted();
  return (
    <figure className="h-56 w-full" aria-label="Sign-ins by method over the last 30 days">
      {mounted ? (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={methods} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 8 }}>
            <CartesianGrid stroke="var(--border)" horizontal={false} />
            <XAxis type="number" allowDecimals={false} {...axis} />
            <YAxis type="category" dataKey="method" width={110} {...axis} />
            <Tooltip cursor={{ fill: "var(--muted)" }} {...tooltipStyle} />
            <Bar dataKey="count" name="Sign-ins" fill="var(--brand-primary)" radius={[0, 4, 4, 0]} />
          </BarChart>
        </ResponsiveContainer>
      ) : null}
    </figure>
  );
}
