// Instruction counting for a Wasm module, done on a COPY of the module with
// binaryen (npm). The original bytes are never modified; the copy gets a mutable
// i32 global that is increased by exactly the number of original instructions
// executed, plus two exported helpers to read and reset it.
//
// What counts as one instruction: every instruction of the original binary
// except the structural `end` and `else` markers. A `block`/`loop`/`if` counts
// once when entered (a `br` back to a loop head re-runs the loop body but not
// the `loop` opcode itself). This mirrors binaryen's tree IR one node per
// instruction; blocks that binaryen's binary writer elides (an unlabelled or
// never-targeted block that is a function body, an `if` arm or a loop body)
// are not instructions. `staticCounts` lets a caller check that mapping against
// an independent disassembler (wasm-objdump) per function.
//
// Two placement strategies are implemented; they must agree on every run:
//  - "regions": one increment at the head of every straight-line run (basic
//    block region), adding the size of the run. A run ends after any child that
//    may leave it (br, br_if, br_table, return, unreachable) or before any child
//    that contains control flow; after a control-flow child whose value is
//    still consumed, the rest of the run is counted on its normal completion.
//  - "per-node": one increment per executed instruction at the exact point it
//    executes (after its operands). Slow but obviously right; used to check
//    the region placement.
import binaryen from "binaryen";

type Ref = number;
// binaryen.js ships per-expression accessors (binaryen.Block.getChildAt, ...)
// that its .d.ts does not declare; this is the small typed view we use.
type Accessor = Record<string, (...args: number[]) => number>;
const B = binaryen as unknown as Record<string, Accessor>;
const acc = (cls: string): Accessor => {
  const a = B[cls];
  if (!a) throw new Error(`binaryen.${cls} accessors missing`);
  return a;
};

export const COUNTER_GET = "__icount_get";
export const COUNTER_RESET = "__icount_reset";
const COUNTER_GLOBAL = "__icount";

/** A child slot of an expression: read and replace. */
interface Slot {
  get(): Ref;
  set(v: Ref): void;
}

const ID = {
  Block: binaryen.BlockId,
  If: binaryen.IfId,
  Loop: binaryen.LoopId,
  Break: binaryen.BreakId,
  Switch: binaryen.SwitchId,
  Return: binaryen.ReturnId,
  Unreachable: binaryen.UnreachableId,
};

function field(cls: string, name: string, e: Ref): Slot | null {
  const a = acc(cls);
  const get = a[`get${name}`];
  const set = a[`set${name}`];
  if (!get || !set) throw new Error(`binaryen.${cls}.get/set${name} missing`);
  if (get(e) === 0) return null; // optional operand absent
  return { get: () => get(e), set: (v) => set(e, v) };
}

function listSlots(cls: string, e: Ref): Slot[] {
  const a = acc(cls);
  const n = a.getNumOperands!(e);
  const out: Slot[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ get: () => a.getOperandAt!(e, i), set: (v) => a.setOperandAt!(e, i, v) });
  }
  return out;
}

/** Operand slots of a non-structural expression, in evaluation order. */
function operandSlots(e: Ref): Slot[] {
  const id = binaryen.getExpressionId(e);
  const f = (cls: string, ...names: string[]): Slot[] =>
    names.map((n) => field(cls, n, e)).filter((s): s is Slot => s !== null);
  switch (id) {
    case binaryen.NopId:
    case binaryen.UnreachableId:
    case binaryen.LocalGetId:
    case binaryen.GlobalGetId:
    case binaryen.ConstId:
    case binaryen.MemorySizeId:
    case binaryen.DataDropId:
    case binaryen.AtomicFenceId:
      return [];
    case binaryen.BreakId: return f("Break", "Value", "Condition");
    case binaryen.SwitchId: return f("Switch", "Value", "Condition");
    case binaryen.CallId: return listSlots("Call", e);
    case binaryen.CallIndirectId: return [...listSlots("CallIndirect", e), ...f("CallIndirect", "Target")];
    case binaryen.LocalSetId: return f("LocalSet", "Value");
    case binaryen.GlobalSetId: return f("GlobalSet", "Value");
    case binaryen.LoadId: return f("Load", "Ptr");
    case binaryen.StoreId: return f("Store", "Ptr", "Value");
    case binaryen.UnaryId: return f("Unary", "Value");
    case binaryen.BinaryId: return f("Binary", "Left", "Right");
    case binaryen.SelectId: return f("Select", "IfTrue", "IfFalse", "Condition");
    case binaryen.DropId: return f("Drop", "Value");
    case binaryen.ReturnId: return f("Return", "Value");
    case binaryen.MemoryGrowId: return f("MemoryGrow", "Delta");
    case binaryen.MemoryCopyId: return f("MemoryCopy", "Dest", "Source", "Size");
    case binaryen.MemoryFillId: return f("MemoryFill", "Dest", "Value", "Size");
    case binaryen.MemoryInitId: return f("MemoryInit", "Dest", "Offset", "Size");
    default:
      throw new Error(`instruction counter: unsupported expression id ${id}:\n${binaryen.emitText(e)}`);
  }
}

function blockChildren(e: Ref): Ref[] {
  const a = acc("Block");
  const n = a.getNumChildren!(e);
  const out: Ref[] = [];
  for (let i = 0; i < n; i++) out.push(a.getChildAt!(e, i));
  return out;
}

function isStructural(id: number): boolean {
  return id === ID.Block || id === ID.If || id === ID.Loop;
}
function mayLeave(id: number): boolean {
  return id === ID.Break || id === ID.Switch || id === ID.Return || id === ID.Unreachable;
}

/** Does any br/br_table inside `e` name `label`? */
function isTargeted(e: Ref, label: string): boolean {
  let found = false;
  const visit = (x: Ref): void => {
    if (found) return;
    const id = binaryen.getExpressionId(x);
    if (id === ID.Break) {
      if ((binaryen.getExpressionInfo(x) as binaryen.BreakInfo).name === label) found = true;
    } else if (id === ID.Switch) {
      const info = binaryen.getExpressionInfo(x) as binaryen.SwitchInfo;
      if (info.defaultName === label || info.names.includes(label)) found = true;
    }
    forEachChild(x, visit);
  };
  visit(e);
  return found;
}

/** Calls `fn` on `e` and every expression inside it (pre-order). */
export function visitExpressions(e: Ref, fn: (x: Ref) => void): void {
  fn(e);
  forEachChild(e, (c) => visitExpressions(c, fn));
}

function forEachChild(e: Ref, fn: (c: Ref) => void): void {
  const id = binaryen.getExpressionId(e);
  if (id === ID.Block) blockChildren(e).forEach(fn);
  else if (id === ID.Loop) fn(acc("Loop").getBody!(e));
  else if (id === ID.If) {
    const a = acc("If");
    fn(a.getCondition!(e));
    fn(a.getIfTrue!(e));
    const f = a.getIfFalse!(e);
    if (f) fn(f);
  } else operandSlots(e).forEach((s) => fn(s.get()));
}

/**
 * Whether the node `e` itself is an instruction of the binary. Only blocks can
 * be elided: in a "body position" (function body, if arm, loop body) a block
 * nothing branches to is written as its bare children.
 */
function selfCost(e: Ref, bodyPosition: boolean): number {
  if (binaryen.getExpressionId(e) !== ID.Block) return 1;
  if (!bodyPosition) return 1;
  const name = acc("Block").getName!(e) as unknown as string | null;
  return name && isTargeted(e, name) ? 1 : 0;
}

/** Static number of instructions in `e` (all of it, every path). */
export function subtreeCost(e: Ref, bodyPosition = false): number {
  let n = selfCost(e, bodyPosition);
  const id = binaryen.getExpressionId(e);
  if (id === ID.Loop) return n + subtreeCost(acc("Loop").getBody!(e), true);
  if (id === ID.If) {
    const a = acc("If");
    n += subtreeCost(a.getCondition!(e));
    n += subtreeCost(a.getIfTrue!(e), true);
    const f = a.getIfFalse!(e);
    if (f) n += subtreeCost(f, true);
    return n;
  }
  forEachChild(e, (c) => { n += subtreeCost(c); });
  return n;
}

/** No control flow anywhere inside: executes completely, in order. */
function isPure(e: Ref): boolean {
  const id = binaryen.getExpressionId(e);
  if (isStructural(id) || mayLeave(id)) return false;
  let pure = true;
  forEachChild(e, (c) => { if (pure && !isPure(c)) pure = false; });
  return pure;
}

/** Operands are pure, the node itself may leave (br, br_if, return, ...). */
function isPureThenLeave(e: Ref): boolean {
  const id = binaryen.getExpressionId(e);
  if (!mayLeave(id)) return false;
  return operandSlots(e).every((s) => isPure(s.get()));
}

class FunctionInstrumenter {
  readonly extraVars: number[] = [];
  constructor(private readonly m: binaryen.Module, private readonly firstFreeLocal: number) {}

  inc(k: number): Ref {
    const m = this.m;
    return m.global.set(COUNTER_GLOBAL, m.i32.add(m.global.get(COUNTER_GLOBAL, binaryen.i32), m.i32.const(k)));
  }

  /** Run `inc(k)` before `e` (k > 0), keeping e's type. */
  before(k: number, e: Ref): Ref {
    if (k === 0) return e;
    return this.m.block(null, [this.inc(k), e], binaryen.getExpressionType(e));
  }

  /** Run `inc(k)` after `e` completes normally, keeping e's value. */
  after(e: Ref, k: number): Ref {
    if (k === 0) return e;
    const t = binaryen.getExpressionType(e);
    if (t === binaryen.unreachable) return e; // never completes
    if (t === binaryen.none) return this.m.block(null, [e, this.inc(k)], binaryen.none);
    if (binaryen.expandType(t).length !== 1) throw new Error("instruction counter: tuple values unsupported");
    const tmp = this.firstFreeLocal + this.extraVars.length;
    this.extraVars.push(t);
    const m = this.m;
    return m.block(null, [m.local.set(tmp, e), this.inc(k), m.local.get(tmp, t)], t);
  }

  // ---- region placement ----

  /** Returns an expression equivalent to `e` that also counts exactly what it executes. */
  regions(e: Ref, bodyPosition = false): Ref {
    const id = binaryen.getExpressionId(e);
    if (isPure(e) || isPureThenLeave(e)) return this.before(subtreeCost(e, bodyPosition), e);
    if (id === ID.Block) {
      const out: Ref[] = [];
      let run: Ref[] = [];
      let pending = selfCost(e, bodyPosition);
      const flush = (): void => {
        if (pending > 0) out.push(this.inc(pending));
        out.push(...run);
        run = [];
        pending = 0;
      };
      for (const c of blockChildren(e)) {
        if (isPure(c)) { run.push(c); pending += subtreeCost(c); }
        else if (isPureThenLeave(c)) { run.push(c); pending += subtreeCost(c); flush(); }
        else { flush(); out.push(this.regions(c)); }
      }
      flush();
      acc("Block").setChildren!(e, out as unknown as number);
      return e;
    }
    if (id === ID.Loop) {
      const a = acc("Loop");
      a.setBody!(e, this.regions(a.getBody!(e), true));
      return this.before(1, e);
    }
    if (id === ID.If) {
      const a = acc("If");
      const cond = a.getCondition!(e);
      a.setIfTrue!(e, this.regions(a.getIfTrue!(e), true));
      const f = a.getIfFalse!(e);
      if (f) a.setIfFalse!(e, this.regions(f, true));
      if (isPure(cond)) return this.before(subtreeCost(cond) + 1, e);
      a.setCondition!(e, this.after(this.regions(cond), 1));
      return e;
    }
    // Any other node with at least one operand containing control flow.
    const slots = operandSlots(e);
    let prefix = 0;
    let i = 0;
    for (; i < slots.length && isPure(slots[i]!.get()); i++) prefix += subtreeCost(slots[i]!.get());
    while (i < slots.length) {
      const slot = slots[i]!;
      const inner = this.regions(slot.get());
      let tail = 0;
      let j = i + 1;
      for (; j < slots.length && isPure(slots[j]!.get()); j++) tail += subtreeCost(slots[j]!.get());
      if (j === slots.length) tail += 1; // the node itself, after its last operand
      slot.set(this.after(inner, tail));
      i = j;
    }
    return this.before(prefix, e);
  }

  // ---- per-node placement (reference) ----

  perNode(e: Ref, bodyPosition = false): Ref {
    const id = binaryen.getExpressionId(e);
    if (id === ID.Block) {
      const kids = blockChildren(e).map((c) => this.perNode(c));
      const self = selfCost(e, bodyPosition);
      acc("Block").setChildren!(e, (self ? [this.inc(self), ...kids] : kids) as unknown as number);
      return e;
    }
    if (id === ID.Loop) {
      const a = acc("Loop");
      a.setBody!(e, this.perNode(a.getBody!(e), true));
      return this.before(1, e);
    }
    if (id === ID.If) {
      const a = acc("If");
      a.setCondition!(e, this.after(this.perNode(a.getCondition!(e)), 1));
      a.setIfTrue!(e, this.perNode(a.getIfTrue!(e), true));
      const f = a.getIfFalse!(e);
      if (f) a.setIfFalse!(e, this.perNode(f, true));
      return e;
    }
    const slots = operandSlots(e);
    if (slots.length === 0) return this.before(1, e);
    slots.forEach((s, k) => {
      const inner = this.perNode(s.get());
      s.set(k === slots.length - 1 ? this.after(inner, 1) : inner);
    });
    return e;
  }
}

export type Placement = "regions" | "per-node";

/**
 * Returns the bytes of an instrumented copy of `wasm`: same imports, exports
 * and behaviour, plus exports `__icount_get() -> i32` (instructions executed
 * since the last reset) and `__icount_reset()`.
 */
export function instrumentCounting(wasm: Uint8Array, placement: Placement): Uint8Array {
  const m = binaryen.readBinary(wasm);
  try {
    const startRef = m.getStart();
    const startName = startRef ? binaryen.getFunctionInfo(startRef).name : null;
    m.addGlobal(COUNTER_GLOBAL, binaryen.i32, true, m.i32.const(0));

    const names: string[] = [];
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
      if (!info.module) names.push(info.name); // skip imports
    }
    for (const name of names) {
      const f = m.getFunction(name);
      const info = binaryen.getFunctionInfo(f);
      const params = binaryen.expandType(info.params);
      const fi = new FunctionInstrumenter(m, params.length + info.vars.length);
      const body = placement === "regions" ? fi.regions(info.body, true) : fi.perNode(info.body, true);
      if (fi.extraVars.length === 0) {
        acc("Function").setBody!(f, body);
      } else {
        // binaryen.js cannot add locals in place: re-create the function.
        m.removeFunction(name);
        m.addFunction(name, info.params, info.results, [...info.vars, ...fi.extraVars], body);
      }
    }
    if (startName) m.setStart(m.getFunction(startName));

    m.addFunction(COUNTER_GET, binaryen.none, binaryen.i32, [], m.global.get(COUNTER_GLOBAL, binaryen.i32));
    m.addFunction(COUNTER_RESET, binaryen.none, binaryen.none, [], m.global.set(COUNTER_GLOBAL, m.i32.const(0)));
    m.addFunctionExport(COUNTER_GET, COUNTER_GET);
    m.addFunctionExport(COUNTER_RESET, COUNTER_RESET);
    if (!m.validate()) throw new Error("instrumented module does not validate");
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/** Static instruction count of every defined function (same rule as the counter). */
export function staticCounts(wasm: Uint8Array): Map<string, number> {
  const m = binaryen.readBinary(wasm);
  try {
    const out = new Map<string, number>();
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
      if (info.module) continue;
      out.set(info.name, subtreeCost(info.body, true));
    }
    return out;
  } finally {
    m.dispose();
  }
}
