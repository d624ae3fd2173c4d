// Exports only the debug build has (asconfig.json target "debug" puts
// core/targets/debug on the package path, so `export * from "target-exports"`
// in core/index.ts resolves here). Not part of the release ABI.

/** Executes `unreachable`: lets hosts test their fault recovery. */
export function debug_trap(): void {
  unreachable();
}
