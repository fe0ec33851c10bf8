//! Where a wasm module's code bytes go, by crate: the code section's function bodies attributed
//! through the name section (`cargo xtask size --by-crate`).
//!
//! Why not twiggy: twiggy 0.7 panics on the widget's module ("should not parse the same key into
//! multiple items", an export aliased twice by wasm-bindgen); this needs only two sections.

use std::collections::BTreeMap;

/// Reads an unsigned LEB128 number at `*at`, moving past it.
fn leb(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let (mut value, mut shift) = (0u64, 0u32);
    loop {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

/// Moves past a length-prefixed name and answers it.
fn name<'a>(bytes: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    let len = usize::try_from(leb(bytes, at)?).ok()?;
    let name = bytes.get(*at..*at + len)?;
    *at += len;
    Some(name)
}

/// The crate a (v0 or legacy mangled, or plain) function name belongs to: `core[…]::fmt::…` and
/// `<alloc[…]::string::String as …>` give `core` and `alloc`.
pub fn crate_of(function: &str) -> &str {
    let name = function.trim_start_matches(['<', '&', '_', ' ']);
    if let Some(legacy) = name.strip_prefix("ZN") {
        // `_ZN4core3fmt5write…E`: each path segment after its length.
        let digits = legacy.len() - legacy.trim_start_matches(char::is_numeric).len();
        let len: usize = legacy[..digits].parse().unwrap_or(0);
        return legacy
            .get(digits..digits + len)
            .filter(|c| !c.is_empty())
            .unwrap_or("?");
    }
    let end = name
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    if end == 0 {
        "?"
    } else {
        &name[..end]
    }
}

/// Code bytes per crate, largest first, and the module's total code bytes.
pub fn code_by_crate(module: &[u8]) -> Option<(Vec<(String, u64)>, u64)> {
    if module.get(..4)? != b"\0asm" {
        return None;
    }
    let mut at = 8;
    let (mut imported_functions, mut bodies, mut names) = (0u64, Vec::new(), BTreeMap::new());
    while at < module.len() {
        let id = module[at];
        at += 1;
        let size = usize::try_from(leb(module, &mut at)?).ok()?;
        let end = at.checked_add(size)?;
        let section = module.get(at..end)?;
        let mut p = 0;
        match id {
            // Imports: functions among them take the first indices.
            2 => {
                for _ in 0..leb(section, &mut p)? {
                    name(section, &mut p)?;
                    name(section, &mut p)?;
                    let kind = *section.get(p)?;
                    p += 1;
                    match kind {
                        0 => {
                            imported_functions += 1;
                            leb(section, &mut p)?;
                        }
                        1 => {
                            p += 1;
                            let flags = leb(section, &mut p)?;
                            leb(section, &mut p)?;
                            if flags & 1 == 1 {
                                leb(section, &mut p)?;
                            }
                        }
                        2 => {
                            let flags = leb(section, &mut p)?;
                            leb(section, &mut p)?;
                            if flags & 1 == 1 {
                                leb(section, &mut p)?;
                            }
                        }
                        3 => p += 2,
                        4 => {
                            p += 1;
                            leb(section, &mut p)?;
                        }
                        _ => return None,
                    }
                }
            }
            10 => {
                for _ in 0..leb(section, &mut p)? {
                    let start = p;
                    let len = leb(section, &mut p)?;
                    p += usize::try_from(len).ok()?;
                    bodies.push((p - start) as u64);
                }
            }
            0 if name(section, &mut p)? == b"name" => {
                while p < section.len() {
                    let kind = section[p];
                    p += 1;
                    let len = usize::try_from(leb(section, &mut p)?).ok()?;
                    let next = p + len;
                    if kind == 1 {
                        for _ in 0..leb(section, &mut p)? {
                            let index = leb(section, &mut p)?;
                            let function = String::from_utf8_lossy(name(section, &mut p)?);
                            names.insert(index, crate_of(&function).to_owned());
                        }
                    }
                    p = next;
                }
            }
            _ => {}
        }
        at = end;
    }
    let mut by_crate: BTreeMap<String, u64> = BTreeMap::new();
    for (i, bytes) in bodies.iter().enumerate() {
        let owner = names
            .get(&(imported_functions + i as u64))
            .map_or("?", String::as_str);
        *by_crate.entry(owner.to_owned()).or_default() += bytes;
    }
    let mut rows: Vec<(String, u64)> = by_crate.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Some((rows, bodies.iter().sum()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_are_read_from_mangled_and_plain_names() {
        assert_eq!(crate_of("core[79aa79c6299ed9a6]::fmt::write"), "core");
        assert_eq!(
            crate_of("<alloc[1]::string::String as core[2]::fmt::Write>::write_char"),
            "alloc"
        );
        assert_eq!(crate_of("_ZN4core3fmt5write17h0123456789abcdefE"), "core");
        assert_eq!(crate_of("identify"), "identify");
        assert_eq!(crate_of("<&T as x>"), "T");
    }

    #[test]
    fn a_module_with_two_named_functions_is_attributed() {
        // (module (func $a) (func $b nop nop)) with a name section naming them a::x and b::y.
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([1, 4, 1, 0x60, 0, 0]); // type section: one () -> ()
        m.extend([3, 3, 2, 0, 0]); // function section: two functions of type 0
        m.extend([10, 9, 2, 2, 0, 0x0b, 4, 0, 1, 1, 0x0b]); // code: sizes 2 and 4 (+1 each)
        let names = [
            &[0u8, b'a', b':', b':', b'x'][..],
            &[1, b'b', b':', b':', b'y'],
        ];
        let mut sub = vec![2];
        for n in names {
            sub.push(n[0]);
            sub.push(4);
            sub.extend(&n[1..]);
        }
        let mut custom = vec![4];
        custom.extend(b"name");
        custom.push(1);
        custom.push(sub.len() as u8);
        custom.extend(&sub);
        m.push(0);
        m.push(custom.len() as u8);
        m.extend(custom);
        let (rows, total) = code_by_crate(&m).unwrap();
        assert_eq!(total, 8);
        assert_eq!(rows, vec![("b".to_owned(), 5), ("a".to_owned(), 3)]);
    }
}
