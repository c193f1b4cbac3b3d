// Runs a WASI build of an example (wasm32-wasip1) in Node's V8, the browser's WebAssembly
// engine, with the repository as its file system:
//   node --no-warnings crates/vq-model/examples/run-wasi.mjs path/to/example.wasm
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";
import { resolve } from "node:path";

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({
  version: "preview1",
  args: [file, ...args],
  env: process.env,
  preopens: { "/": "/" },
});
const module = await WebAssembly.compile(await readFile(resolve(file)));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
wasi.start(instance);
