/** The small, server-rendered content shared by /bench/public and /bench/protected (no client JS). */
export function BenchContent() {
  return (
    <main id="main" className="mx-auto max-w-xl px-4 py-16">
      <h1 className="text-2xl font-semibold tracking-tight">Benchmark page</h1>
      <p className="mt-3 text-muted-foreground">
        A small server-rendered page. The public and the protected twin render exactly this, so the difference in
        their throughput is the cost of the middleware verifying the session token.
      </p>
    </main>
  );
}
