//! Form fields bound to one place of a JSON document by the API's field path
//! (`tiers[2].threshold_minor`), so the API's 422 errors land next to the field they name.

use leptos::prelude::*;
use serde_json::Value;

/// `tiers[2].threshold_minor` → `["tiers", "2", "threshold_minor"]`.
fn segments(path: &str) -> Vec<String> {
    path.replace('[', ".")
        .replace(']', "")
        .split('.')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The value at `path`, if any.
pub fn get_at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let pointer: String = segments(path).iter().map(|s| format!("/{s}")).collect();
    doc.pointer(&pointer)
}

/// Sets the value at `path`, creating objects on the way.
pub fn set_at(doc: &mut Value, path: &str, value: Value) {
    set_parts(doc, &segments(path), value);
}

fn set_parts(node: &mut Value, parts: &[String], value: Value) {
    let Some((first, rest)) = parts.split_first() else {
        *node = value;
        return;
    };
    if let Value::Array(items) = node {
        if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
            set_parts(item, rest, value);
        }
        return;
    }
    if !node.is_object() {
        *node = Value::Object(Default::default());
    }
    if let Value::Object(map) = node {
        set_parts(map.entry(first.clone()).or_insert(Value::Null), rest, value);
    }
}

/// Removes the value at `path` (an object key or an array item).
pub fn remove_at(doc: &mut Value, path: &str) {
    let mut parts = segments(path);
    let Some(last) = parts.pop() else { return };
    let pointer: String = parts.iter().map(|s| format!("/{s}")).collect();
    match doc.pointer_mut(&pointer) {
        Some(Value::Object(map)) => {
            map.remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}

/// The length of the array at `path` (0 if none).
pub fn len_at(doc: &Value, path: &str) -> usize {
    get_at(doc, path)
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// The program being edited and the field errors of the last save.
#[derive(Clone, Copy)]
pub struct Editor {
    pub doc: RwSignal<Value>,
    pub errors: RwSignal<Vec<(String, String)>>,
}

impl Editor {
    fn text(&self, path: &str) -> String {
        self.doc.with(|d| match get_at(d, path) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        })
    }

    fn error(&self, path: &str) -> Option<String> {
        self.errors
            .with(|e| e.iter().find(|(f, _)| f == path).map(|(_, m)| m.clone()))
    }
}

/// How a field's text becomes JSON.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string; empty removes an optional field.
    Text,
    /// An integer; empty removes an optional field.
    Integer,
}

fn id_of(path: &str) -> String {
    format!("f-{}", path.replace(['.', '[', ']'], "-"))
}

/// A labelled input bound to `path`, with the API's error for that path beside it.
#[component]
pub fn Field(
    editor: Editor,
    label: &'static str,
    path: String,
    #[prop(default = Kind::Integer)] kind: Kind,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let id = id_of(&path);
    let (p1, p2, p3) = (path.clone(), path.clone(), path.clone());
    let input_type = if kind == Kind::Integer {
        "number"
    } else {
        "text"
    };
    let on_input = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        editor.doc.update(|d| match (kind, raw.trim()) {
            (_, "") => remove_at(d, &p1),
            (Kind::Integer, v) => match v.parse::<i64>() {
                Ok(n) => set_at(d, &p1, Value::from(n)),
                Err(_) => set_at(d, &p1, Value::from(v)),
            },
            (Kind::Text, v) => set_at(d, &p1, Value::from(v)),
        });
    };
    let error = Memo::new(move |_| editor.error(&p3));
    let err_id = format!("{id}-error");
    let described = err_id.clone();
    let for_id = id.clone();
    view! {
        <label class="field" for=for_id>
            <span class="field__label">{label}</span>
            <input id=id type=input_type prop:value=move || editor.text(&p2) on:input=on_input
                aria-invalid=move || error.get().map(|_| "true")
                aria-describedby=described />
            {(!hint.is_empty()).then(|| view! { <span class="field__hint">{hint}</span> })}
            <span class="field__error" id=err_id data-testid="field-error" data-field=path.clone()>{move || error.get()}</span>
        </label>
    }
}

/// A select bound to `path`.
#[component]
pub fn Choice(
    editor: Editor,
    label: &'static str,
    path: String,
    options: &'static [&'static str],
) -> impl IntoView {
    let id = id_of(&path);
    let (p1, p2, p3) = (path.clone(), path.clone(), path.clone());
    let for_id = id.clone();
    view! {
        <label class="field" for=for_id>
            <span class="field__label">{label}</span>
            <select id=id prop:value=move || editor.text(&p2)
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    editor.doc.update(|d| set_at(d, &p1, Value::from(v)));
                }>
                {options.iter().map(|o| view! { <option value=*o>{*o}</option> }).collect_view()}
            </select>
            <span class="field__error" data-testid="field-error">{move || editor.error(&p3)}</span>
        </label>
    }
}

/// A checkbox that turns an optional part of the program on (with `default`) or off.
#[component]
pub fn Toggle(
    editor: Editor,
    label: &'static str,
    path: &'static str,
    default: fn() -> Value,
) -> impl IntoView {
    let on = move || {
        editor
            .doc
            .with(|d| get_at(d, path).is_some_and(|v| !v.is_null()))
    };
    view! {
        <label class="toggle">
            <input type="checkbox" prop:checked=on
                on:change=move |ev| {
                    let checked = event_target_checked(&ev);
                    editor.doc.update(|d| if checked { set_at(d, path, default()) } else { remove_at(d, path) });
                } />
            " " {label}
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn paths_read_write_and_remove() {
        let mut doc = json!({"tiers": [{"id": "a"}, {"id": "b"}], "earn": {"unit_minor": 100}});
        assert_eq!(get_at(&doc, "tiers[1].id"), Some(&json!("b")));
        set_at(&mut doc, "tiers[1].threshold_minor", json!(5));
        set_at(&mut doc, "stamps.goal", json!(8));
        assert_eq!(doc["tiers"][1]["threshold_minor"], 5);
        assert_eq!(doc["stamps"]["goal"], 8);
        remove_at(&mut doc, "tiers[0]");
        assert_eq!(len_at(&doc, "tiers"), 1);
        remove_at(&mut doc, "earn.unit_minor");
        assert_eq!(doc["earn"], json!({}));
    }
}
