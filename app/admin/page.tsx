import { ActivityChart, MethodsChart } from "@/app/_components/admin/OverviewCharts";
import { PageHeader, Panel } from "@/app/_components/admin/PageHeader";
import { getAdminOverview } from "@/lib/admin";
import { requireAdmin } from "@/lib/session/server";
import { signInMethodLabel } from "@/app/_components/admin/labels";

/** Admin overview (S8): totals, 30 days of sign-ups and sign-ins, and how people sign in. */
export default async function AdminOverviewPage() {
  await requireAdmin();
  const overview = await getAdminOverview();
  const { totals } = overview;
  const stats = [
    { label: "Users", value: totals.users },
    { label: "Active sessions", value: totals.activeSessions },
    { label: "Sign-ups (30 days)", value: totals.signUps30d },
    { label: "Sign-ins (30 days)", value: totals.signIns30d },
    { label: "Failed sign-ins (30 days)", value: totals.failedSignIns30d },
    { label: "Users with MFA", value: totals.mfaUsers },
    { label: "Banned", value: totals.bannedUsers },
    { label: "Locked", value: totals.lockedUsers },
  ];
  const methods = overview.methods.map((row) => ({ method: signInMethodLabel(row.method), count: row.count }));
  return (
    <>
      <PageHeader title="Overview" description="This instance at a glance." />
      <dl className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        {stats.map((stat) => (
          <div key={stat.label} className="rounded-xl border border-border bg-card p-4 shadow-sm">
            <dt className="text-sm text-muted-foreground">{stat.label}</dt>
            <dd className="mt-1 text-2xl font-semibold tabular-nums text-foreground">{stat.value.toLocaleString("en-US")}</dd>
          </div>
        ))}
      </dl>
      <div className="grid grid-cols-1 gap-6">
        <Panel id="activity" title="Activity" description="Sign-ups, sign-ins and failed sign-ins per day (UTC), last 30 days.">
          <ActivityChart daily={overview.daily} />
          <details className="mt-4 text-sm">
            <summary className="cursor-pointer text-muted-foreground">Show as a table</summary>
            <div className="mt-2 max-h-72 overflow-auto">
              <table className="w-full text-left tabular-nums">
                <thead className="text-muted-foreground">
                  <tr>
                    <th scope="col" className="py-1 pr-4 font-medium">Day</th>
                    <th scope="col" className="py-1 pr-4 font-medium">Sign-ups</th>
                    <th scope="col" className="py-1 pr-4 font-medium">Sign-ins</th>
                    <th scope="col" className="py-1 font-medium">Failed</th>
                  </tr>
                </thead>
                <tbody>
                  {overview.daily.map((day) => (
                    <tr key={day.date} className="border-t border-border">
                      <td className="py-1 pr-4">{day.date}</td>
                      <td className="py-1 pr-4">{day.signUps}</td>
                      <td className="py-1 pr-4">{day.signIns}</td>
                      <td className="py-1">{day.failedSignIns}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </Panel>
        <Panel id="methods" title="Sign-in methods" description="Successful sign-ins by first factor, last 30 days.">
          {methods.length ? (
            <>
              <MethodsChart methods={methods} />
              <ul className="sr-only">
                {methods.map((row) => (
                  <li key={row.method}>
                    {row.method}: {row.count}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p className="text-sm text-muted-foreground">No sign-ins in the last 30 days.</p>
          )}
        </Panel>
      </div>
    </>
  );
}
