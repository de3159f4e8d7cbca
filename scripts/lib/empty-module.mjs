// Stand-in for the `server-only` marker package when server code runs from a CLI (outside Next).
export {};
