//! The widget's DOM builder: elements made through `web_sys`, event listeners owned by the
//! reactive owner that made them, and [`live`] parts rebuilt in place when the signals they read
//! change. Signals, effects and ownership are Leptos's (`reactive_graph`).
//!
//! Why not Leptos's `view!`: every `view!` is its own type with its own monomorphized
//! render/mount/rebuild code in tachys, and the widget's views cost ~80 KB of wasm that way
//! (docs/PERFORMANCE.md); here every element goes through the same few non-generic functions, and
//! a view is rebuilt whole from its signals, which for a card of a few dozen nodes costs nothing
//! a shopper can see.

use crate::reactive::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, Node};

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// An element under construction.
pub struct El(pub Element);

/// A new `<tag>`.
pub fn el(tag: &str) -> El {
    El(document().create_element(tag).expect("a valid tag"))
}

/// A new `<svg:tag>` (SVG elements live in their own namespace).
pub fn svg(tag: &str) -> El {
    El(document()
        .create_element_ns(Some("http://www.w3.org/2000/svg"), tag)
        .expect("a valid tag"))
}

/// Something that can go inside an element: an element, a live part, text, nothing, or several.
pub trait Child {
    fn append_to(self, parent: &Element);
}

impl Child for El {
    fn append_to(self, parent: &Element) {
        let _ = parent.append_child(&self.0);
    }
}

impl Child for Node {
    fn append_to(self, parent: &Element) {
        let _ = parent.append_child(&self);
    }
}

impl Child for &str {
    fn append_to(self, parent: &Element) {
        let _ = parent.append_with_str_1(self);
    }
}

impl Child for String {
    fn append_to(self, parent: &Element) {
        self.as_str().append_to(parent);
    }
}

impl<C: Child> Child for Option<C> {
    fn append_to(self, parent: &Element) {
        if let Some(child) = self {
            child.append_to(parent);
        }
    }
}

impl<C: Child> Child for Vec<C> {
    fn append_to(self, parent: &Element) {
        for child in self {
            child.append_to(parent);
        }
    }
}

impl El {
    pub fn attr(self, name: &str, value: &str) -> Self {
        let _ = self.0.set_attribute(name, value);
        self
    }

    pub fn class(self, class: &str) -> Self {
        self.attr("class", class)
    }

    /// `data-testid`, what the tests (and shops' own scripts) select by.
    pub fn testid(self, id: &str) -> Self {
        self.attr("data-testid", id)
    }

    /// [`El::testid`] when there is one.
    pub fn testid_if(self, id: Option<&str>) -> Self {
        match id {
            Some(id) => self.testid(id),
            None => self,
        }
    }

    /// A boolean attribute (`hidden`, `disabled`, `required`), present when `on`.
    pub fn flag(self, name: &str, on: bool) -> Self {
        if on {
            self.attr(name, "")
        } else {
            self
        }
    }

    pub fn child(self, child: impl Child) -> Self {
        child.append_to(&self.0);
        self
    }

    /// Calls `handler` on `event` for as long as the reactive owner that built it lives.
    pub fn on(self, event: &str, handler: impl FnMut(Event) + 'static) -> Self {
        listen(&self.0, event, Box::new(handler));
        self
    }

    pub fn into_node(self) -> Node {
        self.0.into()
    }
}

fn listen(target: &Element, event: &str, handler: Box<dyn FnMut(Event)>) {
    let closure = Closure::wrap(handler);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    // Dropped (and the JS function invalidated) when the owner is cleaned up: when the live part
    // holding this element is rebuilt, or the widget is.
    StoredValue::new_local(closure);
}

/// A part of the view that `render` builds again, in place (no wrapper element), whenever a
/// signal it read changes; `None` shows nothing (an empty comment keeps the place).
pub fn live(render: impl Fn() -> Option<El> + 'static) -> Node {
    live_boxed(Box::new(render))
}

fn live_boxed(render: Box<dyn Fn() -> Option<El>>) -> Node {
    let effect = RenderEffect::new(move |previous: Option<Node>| {
        let node = render().map_or_else(|| document().create_comment("").into(), El::into_node);
        if let Some(previous) = previous {
            if let Some(parent) = previous.parent_node() {
                let _ = parent.replace_child(&node, &previous);
            }
        }
        node
    });
    let node = effect.with_value_mut(|n| n.clone()).expect("rendered once");
    StoredValue::new_local(effect);
    node
}

/// Resolves in a later task of the event loop (`setTimeout(0)`), so the work before and after
/// an `await` of it are two short tasks, not one long one.
pub async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let queued =
            web_sys::window().is_some_and(|w| w.set_timeout_with_callback(&resolve).is_ok());
        if !queued {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Reads a form control's current value (`input`, `select`, `textarea`) by selector.
pub fn value_in(form: &Element, selector: &str) -> String {
    form.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|el| {
            js_sys::Reflect::get(&el, &JsValue::from_str("value"))
                .ok()?
                .as_string()
        })
        .unwrap_or_default()
}

/// The element an event was dispatched to or bubbled up to (its listener's element).
pub fn current(event: &Event) -> Option<Element> {
    event.current_target()?.dyn_into().ok()
}

/// Puts `message` into `form`'s alert line, made on first use.
pub fn alert_in(form: &Element, message: &str) {
    match form.query_selector(".pc-error-line").ok().flatten() {
        Some(line) => line.set_text_content(Some(message)),
        None => {
            let line = el("p")
                .class("pc-error-line")
                .attr("role", "alert")
                .child(message);
            let _ = form.append_child(&line.0);
        }
    }
}
