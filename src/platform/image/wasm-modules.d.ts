// Wrangler bundles `*.wasm` imports as compiled WebAssembly modules (its default
// CompiledWasm rule), in `wrangler deploy` and in the vitest workers pool alike.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
