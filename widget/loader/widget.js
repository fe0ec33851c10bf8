/* Punchcard loader: the file a shop's <script async> tag points at. Plain JS, tiny, no globals but
 * window.Punchcard. Before the page's `load` it only paints: a <punchcard-widget> host with a Shadow
 * DOM root (the storefront's CSS cannot reach in, nor ours out), a fixed launcher button (or, with
 * data-mode="inline", a panel inside data-target) and their few styles as an adopted stylesheet (no
 * request, allowed under a strict CSP). The Leptos/WebAssembly card, its stylesheet and its locale
 * load when the card is opened, or on idle after `load`. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.Punchcard) return;
  var origin = new URL(script.src, location.href).origin;
  var data = script.dataset;
  // Launcher and close labels per locale; every other word is in widget/locales/<locale>.json
  // (a test holds these to the catalogs' "launcher" and "close").
  var LABELS = {
    "en": ["Rewards", "Close"],
    "de": ["Prämien", "Schließen"],
    "es": ["Recompensas", "Cerrar"],
    "fr": ["Récompenses", "Fermer"],
    "it": ["Premi", "Chiudi"],
    "pt-BR": ["Recompensas", "Fechar"],
    "nl": ["Beloningen", "Sluiten"],
    "el": ["Επιβραβεύσεις", "Κλείσιμο"],
    "ru": ["Бонусы", "Закрыть"],
    "ja": ["ポイント特典", "閉じる"],
    "ko": ["리워드", "닫기"],
    "zh-CN": ["会员奖励", "关闭"],
    "zh-TW": ["會員獎勵", "關閉"],
    "hi": ["रिवॉर्ड", "बंद करें"],
    "cs": ["Odměny", "Zavřít"],
    "sk": ["Odmeny", "Zavrieť"],
    "bg": ["Награди", "Затвори"],
    "ro": ["Recompense", "Închide"]
  };

  /** The first supported locale among `tags` (data-locale, <html lang>, the browser's), or en. */
  function pickLocale(tags) {
    for (var i = 0; i < tags.length; i++) {
      var tag = String(tags[i] || "").replace("_", "-").toLowerCase();
      if (!tag) continue;
      for (var known in LABELS) if (known.toLowerCase() === tag) return known;
      var lang = tag.split("-")[0];
      if (lang === "zh") return /hant|tw|hk|mo/.test(tag) ? "zh-TW" : "zh-CN";
      if (lang === "pt") return "pt-BR";
      if (LABELS[lang]) return lang;
    }
    return "en";
  }

  var locale = pickLocale([data.locale, document.documentElement.lang].concat(navigator.languages || [navigator.language]));
  var inline = data.mode === "inline";
  var token = data.customerToken || null;

  var host = document.createElement("punchcard-widget");
  var root = host.attachShadow({ mode: "open" });
  var css =
    ":host{all:initial!important;display:block!important;visibility:visible!important;opacity:1!important;" +
    "font:16px/1.45 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Noto Sans','Helvetica Neue',Arial,sans-serif!important;color:#1f1a17!important;" +
    "--pc-b:var(--pc-brand,var(--pc-theme-brand,#7a3e00))}" +
    ":host(.pc-float){position:fixed!important;right:16px!important;bottom:16px!important;z-index:2147483000!important}" +
    "[hidden]{display:none!important}" +
    ".pc-launcher{font:inherit;font-weight:600;display:inline-flex;align-items:center;gap:.4em;padding:.7em 1.2em;" +
    "border:0;border-radius:999px;background:var(--pc-b);color:#fff;cursor:pointer;box-shadow:0 2px 10px rgb(0 0 0/.25)}" +
    ".pc-launcher:focus-visible,.pc-close:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}" +
    ".pc-panel{background:#fff;border-radius:var(--pc-radius,12px);outline:0}" +
    ":host(.pc-float) .pc-panel{position:absolute;right:0;bottom:calc(100% + 12px);width:min(24rem,calc(100vw - 32px));" +
    "max-height:min(40rem,calc(100vh - 100px));overflow:auto;box-shadow:0 8px 30px rgb(0 0 0/.25)}" +
    ":host(.pc-inline) .pc-panel{height:var(--pc-height,36rem);overflow:auto}" +
    ".pc-bar{display:flex;justify-content:flex-end;position:sticky;top:0}" +
    ".pc-close{font:inherit;font-size:1.4em;line-height:1;width:2em;height:2em;border:0;border-radius:50%;background:#fff;color:#1f1a17;cursor:pointer}";
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch (e) {
    /* No constructable stylesheets (very old browsers): the full stylesheet below still applies. */
  }

  var panel = document.createElement("div");
  panel.className = "pc-panel";
  panel.id = "pc-panel";
  panel.tabIndex = -1;
  var mountPoint = document.createElement("div");
  mountPoint.className = "pc-root";
  var launcher = null;
  if (inline) {
    host.className = "pc-inline";
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", LABELS[locale][0]);
    panel.append(mountPoint);
    root.append(panel);
  } else {
    host.className = "pc-float";
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "pc-launcher";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "pc-panel");
    launcher.setAttribute("data-testid", "launcher");
    launcher.textContent = "★ " + LABELS[locale][0];
    launcher.addEventListener("click", function () {
      panel.hidden ? open() : close();
    });
    var bar = document.createElement("div");
    bar.className = "pc-bar";
    var closer = document.createElement("button");
    closer.type = "button";
    closer.className = "pc-close";
    closer.setAttribute("aria-label", LABELS[locale][1]);
    closer.setAttribute("data-testid", "close");
    closer.textContent = "×";
    closer.addEventListener("click", function () { close(); });
    bar.append(closer);
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", LABELS[locale][0]);
    panel.hidden = true;
    panel.append(bar, mountPoint);
    root.append(panel, launcher);
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden) {
        event.stopPropagation();
        close();
      }
    });
  }

  var target = inline && data.target ? document.querySelector(data.target) : null;
  function place() {
    if (target || (inline && data.target && (target = document.querySelector(data.target)))) target.append(host);
    else document.body.append(host);
  }
  if (document.body) place();
  else document.addEventListener("DOMContentLoaded", place, { once: true });

  var loading = null;
  var app = null;
  /** Fetches the stylesheet, the JS glue and the wasm once; resolves to the wasm module. */
  function load() {
    if (!loading) {
      var styled = new Promise(function (resolve) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = origin + "/widget/style.css";
        link.onload = link.onerror = resolve;
        root.prepend(link);
      });
      var code = import(origin + "/widget/punchcard_widget.js").then(function (wasm) {
        return wasm.default({ module_or_path: origin + "/widget/punchcard_widget_bg.wasm" }).then(function () {
          return wasm;
        });
      });
      loading = Promise.all([code, styled]).then(function (both) { return both[0]; });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }
  /** Loads and mounts the card once. */
  function mount() {
    return load().then(function (wasm) {
      if (!app) {
        mountPoint.textContent = "";
        wasm.mount(mountPoint, origin, data.shop || "", token, locale);
        app = wasm;
      }
      return wasm;
    }, function (error) {
      mountPoint.textContent = "The loyalty card could not be loaded. ";
      var again = document.createElement("button");
      again.type = "button";
      again.textContent = "↻";
      again.setAttribute("aria-label", "Retry");
      again.addEventListener("click", mount);
      mountPoint.append(again);
      console.error("Punchcard:", error);
    });
  }
  function open() {
    if (inline || !panel.hidden) return;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    panel.focus();
    mount();
  }
  function close() {
    if (inline || panel.hidden) return;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  function identify(newToken) {
    token = newToken || null;
    if (app) app.identify(token);
  }

  window.Punchcard = {
    version: "0.2.0",
    locale: locale,
    open: open,
    close: close,
    identify: identify,
    logout: function () { identify(null); },
  };

  // After the page has loaded, when the main thread is idle: fetch the card's code (inline mode
  // also mounts it), so opening the launcher is quick.
  function idle() {
    var run = inline ? mount : load;
    (window.requestIdleCallback || function (f) { setTimeout(f, 200); })(function () { run().catch(function () {}); });
  }
  if (document.readyState === "complete") idle();
  else window.addEventListener("load", idle, { once: true });
})();
