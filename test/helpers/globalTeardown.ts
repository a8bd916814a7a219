export default async function globalTeardown(): Promise<void> {
  const e = (globalThis as Record<string, unknown>).__clipjuryEmbedded as
    | { pglite: { close(): Promise<void> }; served: { stop(): Promise<void> } }
    | undefined;
  if (e) {
    await e.served.stop();
    await e.pglite.close();
  }
}
