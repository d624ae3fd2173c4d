/**
 * A reader for the subset of Kconfig that main/Kconfig.projbuild uses:
 * `config`/`menuconfig` symbols with a type, `default` and `range` lines
 * (help text skipped by indentation, as Kconfig does)
 * whose condition is absent, `IDF_TARGET_<X>`, `[!]BOOL_SYMBOL` or
 * `SYMBOL = "string"`.
 * Any other condition throws, so a new construct is noticed, not misread.
 * Evaluation follows Kconfig: the first default (and the first range)
 * whose condition holds wins.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const KCONFIG_PROJBUILD = fileURLToPath(new URL("../../main/Kconfig.projbuild", import.meta.url));

export type KconfigType = "int" | "string" | "bool" | "hex";

export interface Conditional<T> { value: T; cond: string | null }

export interface KconfigSymbol {
  name: string;
  type: KconfigType | null;
  defaults: Conditional<string>[];
  ranges: Conditional<[number, number]>[];
  line: number;
}

/** Settings a condition is evaluated against: the target and symbol values. */
export interface KconfigEnv { target: string; values: Record<string, string> }

export function readKconfig(path: string = KCONFIG_PROJBUILD): KconfigSymbol[] {
  const symbols: KconfigSymbol[] = [];
  let current: KconfigSymbol | null = null;
  let helpIndent = -1; // indentation of the `help` keyword while inside its text
  readFileSync(path, "utf8").split("\n").forEach((raw, i) => {
    const line = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (helpIndent >= 0) {
      // Help text: blank lines, or lines indented deeper than `help` itself.
      if (line === "" || indent > helpIndent) return;
      helpIndent = -1;
    }
    if (line === "help" || line === "---help---") {
      helpIndent = indent;
      return;
    }
    const decl = /^(?:menu)?config\s+(\S+)$/.exec(line);
    if (decl) {
      current = { name: decl[1]!, type: null, defaults: [], ranges: [], line: i + 1 };
      symbols.push(current);
      return;
    }
    if (/^(endmenu|menu\s|choice|endchoice|comment\s|if\s|endif|source\s|rsource\s|orsource\s)/.test(line)) {
      current = null;
      return;
    }
    if (current === null) return;
    const sym: KconfigSymbol = current;
    const type = /^(int|string|bool|hex)\b/.exec(line);
    if (type && sym.type === null) sym.type = type[1] as KconfigType;
    const def = /^default\s+("(?:[^"\\]|\\.)*"|\S+)(?:\s+if\s+(.+))?$/.exec(line);
    if (def) sym.defaults.push({ value: unquote(def[1]!), cond: def[2] ?? null });
    const range = /^range\s+(-?\d+)\s+(-?\d+)(?:\s+if\s+(.+))?$/.exec(line);
    if (range) sym.ranges.push({ value: [Number(range[1]), Number(range[2])], cond: range[3] ?? null });
  });
  return symbols;
}

function unquote(s: string): string {
  return s.startsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, "$1") : s;
}

export function condHolds(cond: string | null, env: KconfigEnv): boolean {
  if (cond === null) return true;
  const target = /^IDF_TARGET_([A-Z0-9]+)$/.exec(cond);
  if (target) return target[1]!.toLowerCase() === env.target;
  const eq = /^(\w+)\s*(=|!=)\s*"([^"]*)"$/.exec(cond);
  if (eq) {
    const value = env.values[eq[1]!];
    if (value === undefined) throw new Error(`condition "${cond}": ${eq[1]} has no value`);
    return (value === eq[3]) === (eq[2] === "=");
  }
  const bool = /^(!?)(\w+)$/.exec(cond);
  if (bool) return (env.values[bool[2]!] === "y") !== (bool[1] === "!"); // undefined symbols are n
  throw new Error(`Kconfig condition "${cond}" is not understood by tests/support/kconfig.ts`);
}

export function defaultOf(sym: KconfigSymbol, env: KconfigEnv): string | undefined {
  return sym.defaults.find((d) => condHolds(d.cond, env))?.value;
}

export function rangeOf(sym: KconfigSymbol, env: KconfigEnv): [number, number] | undefined {
  return sym.ranges.find((r) => condHolds(r.cond, env))?.value;
}

/** Every symbol's default for a target, in file order (so a condition may
 * refer to a symbol declared above it, as Kconfig.projbuild does). */
export function defaultsFor(symbols: KconfigSymbol[], target: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const sym of symbols) {
    const v = defaultOf(sym, { target, values });
    if (v !== undefined) values[sym.name] = v;
  }
  return values;
}
