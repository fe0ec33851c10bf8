/* Punchcard loader: the file a shop's <script> tag points at. Plain JS, tiny, no globals but
 * window.Punchcard. It reads the tag's data-* attributes, creates <punchcard-widget> right after the
 * tag, attaches a Shadow DOM root (so the storefront's CSS cannot reach in, nor ours out), and loads
 * the Leptos/WebAssembly card into it. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.Punchcard) return;
  var origin = new URL(script.src, location.href).origin;
  var data = script.dataset;
  var config = {
    shop: data.shop || "",
    token: data.customerToken || null,
    locale: data.locale || document.documentElement.lang || navigator.language || "en",
  };

  var host = document.createElement("punchcard-widget");
  var root = host.attachShadow({ mode: "open" });
  var sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = origin + "/widget/style.css";
  var mountPoint = document.createElement("div");
  mountPoint.className = "pc-root";
  root.append(sheet, mountPoint);

  function place() {
    // Inside <body>: right after the tag, where the shop pasted it. In <head>: end of <body>.
    if (document.body && document.body.contains(script)) script.after(host);
    else document.body.append(host);
  }
  if (document.body) place();
  else document.addEventListener("DOMContentLoaded", place, { once: true });

  window.Punchcard = { version: "0.1.0", host: host };

  import(origin + "/widget/punchcard_widget.js")
    .then(function (wasm) {
      return wasm.default({ module_or_path: origin + "/widget/punchcard_widget_bg.wasm" }).then(function () {
        wasm.mount(mountPoint, origin, config.shop, config.token, config.locale);
      });
    })
    .catch(function (error) {
      mountPoint.textContent = "The loyalty card could not be loaded.";
      console.error("Punchcard:", error);
    });
})();
