// Starts the console (Leptos/WebAssembly) in #console. A module script of its own, so the console
// page needs no inline script under a strict Content-Security-Policy.
import init, { mount } from "/console/punchcard_console.js";

const root = document.getElementById("console");
init({ module_or_path: "/console/punchcard_console_bg.wasm" })
  .then(() => {
    root.textContent = "";
    mount(root);
  })
  .catch((error) => {
    root.textContent = "The console could not be loaded. Reload the page to try again.";
    console.error("Punchcard console:", error);
  });
