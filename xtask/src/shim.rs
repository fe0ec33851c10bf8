//! worker-build's panic recovery, kept, at a lower price per request.
//!
//! worker-build (0.8) wraps the worker's entrypoint class in a `Proxy` whose `construct` trap
//! builds a fresh `Proxy` per request, and every method read another one, so that a request after
//! a wasm trap first resets the instance's state (`__wbg_reset_state`). On `GET /me` those
//! proxies are ~7 % of a request (docs/PERFORMANCE.md). This rewrites the bundle's default export
//! into a plain module handler object (`{ fetch(request, env, ctx) }`, the shape a JS Worker has),
//! each of the class's handlers wrapped once, at load, in the same check (`checkReinitialize`
//! before, `handleMaybeCritical` on a throw or a rejection) and called with the `env` and `ctx`
//! it reads from `this`. The Durable Object classes keep worker-build's proxies.

/// What worker-build's bundle (esbuild, not minified) exports as default.
const DEFAULT_EXPORT: &str = "new Proxy(Entrypoint, classProxyHooks)";

/// The same entrypoint, its handlers wrapped once.
const RECOVERING_ENTRYPOINT: &str = "((entry) => {
  // Punchcard (xtask/src/shim.rs): worker-build's recovery without a Proxy per request, as a
  // module handler object (no entrypoint instance made per request either).
  const handlers = {};
  for (const name of Object.getOwnPropertyNames(entry.prototype)) {
    const handler = entry.prototype[name];
    if (name === \"constructor\" || typeof handler !== \"function\") continue;
    handlers[name] = async (arg, env, ctx) => {
      checkReinitialize();
      try {
        return await handler.call({ env, ctx }, arg);
      } catch (e) {
        handleMaybeCritical(e);
        throw e;
      }
    };
  }
  return handlers;
})(Entrypoint)";

/// `bundle` with the lighter entrypoint, or why it cannot be rewritten (a worker-build whose
/// shim no longer looks like 0.8's: then the build fails rather than ship without recovery).
pub fn lighter_recovery(bundle: &str) -> Result<String, String> {
    let uses = |needle: &str| bundle.matches(needle).count();
    if uses(DEFAULT_EXPORT) != 1 {
        return Err(format!(
            "worker bundle: expected `{DEFAULT_EXPORT}` once, found it {} times (worker-build's shim changed?)",
            uses(DEFAULT_EXPORT)
        ));
    }
    for helper in [
        "function checkReinitialize(",
        "function handleMaybeCritical(",
    ] {
        if uses(helper) != 1 {
            return Err(format!(
                "worker bundle: `{helper}` not found once (worker-build's shim changed?)"
            ));
        }
    }
    Ok(bundle.replacen(DEFAULT_EXPORT, RECOVERING_ENTRYPOINT, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIM: &str = "function checkReinitialize() {}\nfunction handleMaybeCritical(e) {}\n\
        var Entrypoint = class extends WorkerEntrypoint {};\n\
        var shim_default = new Proxy(Entrypoint, classProxyHooks);\n\
        var ShopLedger2 = new Proxy(ShopLedger, classProxyHooks);\n";

    #[test]
    fn only_the_default_export_loses_its_proxy() {
        let out = lighter_recovery(SHIM).unwrap();
        assert!(out.contains("var shim_default = ((entry) => {"));
        assert!(out.contains("checkReinitialize();\n      try {"));
        assert!(out.contains("handler.call({ env, ctx }, arg)"));
        assert!(out.contains("new Proxy(ShopLedger, classProxyHooks)"));
        assert!(!out.contains(DEFAULT_EXPORT));
    }

    #[test]
    fn an_unknown_shim_fails_the_build() {
        assert!(lighter_recovery("export default Entrypoint;").is_err());
        let no_helper = SHIM.replace("function handleMaybeCritical(e) {}", "");
        assert!(lighter_recovery(&no_helper).is_err());
    }
}
