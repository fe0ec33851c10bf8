//! Leptos's reactive system as the widget uses it: signals, render effects, owners and context
//! from `reactive_graph` (the crate `leptos` re-exports), tasks on its executor.
//!
//! Why not the `leptos` crate itself: it also brings `server_fn`, whose `wasm-streams` classes are
//! wasm exports, so they stay in the module and its glue whether used or not.

pub use reactive_graph::effect::RenderEffect;
pub use reactive_graph::owner::{expect_context, provide_context, Owner, StoredValue};
pub use reactive_graph::prelude::*;
pub use reactive_graph::signal::{signal, ReadSignal, RwSignal, WriteSignal};

/// Runs `task` on the executor (the browser's microtask queue).
pub fn spawn_local(task: impl std::future::Future<Output = ()> + 'static) {
    any_spawner::Executor::spawn_local(task);
}
