// as-pect configuration for the core's specs (tests/core/**/*.spec.ts).
// Specs compile with as-pect.asconfig.json (the default runtime, which
// as-pect itself needs), not with the core's stub-runtime asconfig.json.
// The core's `host` imports are recorded here; specs read the records back
// through the `spec` import module declared in tests/core/support/host.ts.

/** Calls the core made to the host, reset by spec.reset(). */
const calls = {
  led: [], // `on` passed to led_set
  ids: [], // `id` passed to led_set
  sends: [], // { client, frame } per sse_send
  broadcasts: [], // frame per sse_broadcast
  sendResult: 0, // what sse_send returns
};

function reset() {
  calls.led.length = 0;
  calls.ids.length = 0;
  calls.sends.length = 0;
  calls.broadcasts.length = 0;
  calls.sendResult = 0;
}

export default {
  entries: ["tests/core/**/*.spec.ts"],
  include: ["tests/core/**/*.include.ts"],
  disclude: [/node_modules/],
  reporter: "tests/support/aspect-reporter.js",

  async instantiate(memory, createImports, instantiate, binary) {
    let exports = null; // set once instantiated; imports are only called later
    const bytes = (ptr, len) => {
      const mem = new Uint8Array(exports.memory.buffer);
      if (ptr < 0 || len < 0 || ptr + len > mem.length) {
        throw new RangeError(`frame (${ptr}, ${len}) outside memory`);
      }
      return Buffer.from(mem.subarray(ptr, ptr + len)).toString("latin1");
    };
    // Returns a JS string to AssemblyScript as a new managed String (class id 2).
    const toAsString = (text) => {
      const ptr = exports.__new(text.length << 1, 2);
      const units = new Uint16Array(exports.memory.buffer, ptr, text.length);
      for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
      return ptr;
    };
    const host = {
      led_set(on, id) {
        calls.led.push(on);
        calls.ids.push(id);
      },
      sse_send(client, ptr, len) {
        calls.sends.push({ client, frame: bytes(ptr, len) });
        return calls.sendResult;
      },
      sse_broadcast(ptr, len) {
        calls.broadcasts.push(bytes(ptr, len));
      },
    };
    const spec = {
      reset,
      set_send_result(result) {
        calls.sendResult = result;
      },
      led_count: () => calls.led.length,
      led_last: () => (calls.led.length ? calls.led[calls.led.length - 1] : -1),
      led_last_id: () => (calls.ids.length ? calls.ids[calls.ids.length - 1] : -1),
      send_count: () => calls.sends.length,
      send_client: (i) => (i >= 0 && i < calls.sends.length ? calls.sends[i].client : -100),
      send_frame: (i) => toAsString(i >= 0 && i < calls.sends.length ? calls.sends[i].frame : "<none>"),
      broadcast_count: () => calls.broadcasts.length,
      broadcast_frame: (i) => toAsString(i >= 0 && i < calls.broadcasts.length ? calls.broadcasts[i] : "<none>"),
    };
    const result = await instantiate(binary, createImports({ env: { memory }, host, spec }));
    exports = result.exports;
    reset();
    return result;
  },

  outputBinary: false,
};
