//! `--set PATH=VALUE`: replaces (or adds) the value at a field path in the spanned tree
//! before it is deserialized, so an override is type-checked exactly like the file.

use super::spanned::{Field, Node, Pos, Value};

/// Splits a command-line `PATH=VALUE` at its first `=`.
pub fn split_override(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((path, value)) if !path.trim().is_empty() => {
            Ok((path.trim().to_string(), value.to_string()))
        }
        _ => Err(format!(
            "--set expects PATH=VALUE (for example `practices[0].effect=0.1`), got {arg:?}"
        )),
    }
}

/// One step of a field path: `.name` or `[index]`.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    Field(String),
    Index(usize),
}

/// Parses `practices[0].kernel.threshold` into segments.
pub fn parse_path(path: &str) -> Result<Vec<Seg>, String> {
    let bad = |why: &str| {
        format!("bad field path `{path}`: {why}; write it as in `practices[0].effect` or `seed`")
    };
    let mut segs = Vec::new();
    let mut rest = path;
    let mut first = true;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or_else(|| bad("`[` without `]`"))?;
            let i = r[..end]
                .parse::<usize>()
                .map_err(|_| bad("an index must be a whole number"))?;
            segs.push(Seg::Index(i));
            rest = &r[end + 1..];
        } else {
            let r = if first {
                rest
            } else {
                rest.strip_prefix('.')
                    .ok_or_else(|| bad("expected `.` or `[` between parts"))?
            };
            let end = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            if end == 0 {
                return Err(bad("expected a field name"));
            }
            segs.push(Seg::Field(r[..end].to_string()));
            rest = &r[end..];
        }
        first = false;
    }
    if segs.is_empty() {
        return Err(bad("empty"));
    }
    Ok(segs)
}

/// Sets the value at `segs` below `root`. An absent struct field is inserted (so defaulted
/// fields can be set; unknown names are reported by the deserializer with the allowed ones).
/// `mk` makes new nodes (fresh ids, the override's position).
pub fn apply(
    root: &mut Node,
    segs: &[Seg],
    value: Node,
    mk: &mut dyn FnMut(Value) -> Node,
) -> Result<(), String> {
    set(root, segs, value, "", mk)
}

fn set(
    node: &mut Node,
    segs: &[Seg],
    value: Node,
    walked: &str,
    mk: &mut dyn FnMut(Value) -> Node,
) -> Result<(), String> {
    let Some((first, rest)) = segs.split_first() else {
        *node = value;
        return Ok(());
    };
    let here = if walked.is_empty() {
        "the scenario"
    } else {
        walked
    };
    match first {
        Seg::Field(name) => {
            match &mut node.value {
                Value::Unit => node.value = Value::Struct(None, Vec::new()),
                // `Training()` reads as an empty tuple; it is a struct with every field left
                // at its default, so a field can be added to it.
                Value::Tuple(name, items) if items.is_empty() => {
                    node.value = Value::Struct(name.take(), Vec::new())
                }
                _ => {}
            }
            let fields = match &mut node.value {
                Value::Struct(_, fs) => fs,
                other => {
                    return Err(format!(
                        "`{here}` is {}, which has no field `{name}`",
                        other.describe()
                    ))
                }
            };
            let path = if walked.is_empty() {
                name.clone()
            } else {
                format!("{walked}.{name}")
            };
            if let Some(f) = fields.iter_mut().find(|f| &f.name == name) {
                return set(&mut f.value, rest, value, &path, mk);
            }
            let v = if rest.is_empty() {
                value
            } else {
                let mut n = mk(Value::Struct(None, Vec::new()));
                set(&mut n, rest, value, &path, mk)?;
                n
            };
            let pos: Pos = v.pos;
            fields.push(Field {
                name: name.clone(),
                pos,
                value: v,
            });
            Ok(())
        }
        Seg::Index(i) => {
            let items = match &mut node.value {
                // A newtype variant holding a list, such as `Generate([...])`: index the list.
                Value::Tuple(Some(_), items)
                    if items.len() == 1 && matches!(items[0].value, Value::List(_)) =>
                {
                    match items.first_mut().map(|n| &mut n.value) {
                        Some(Value::List(inner)) => inner,
                        _ => return Err(format!("`{here}` is not a list")),
                    }
                }
                Value::List(items) | Value::Tuple(_, items) => items,
                other => {
                    return Err(format!(
                        "`{here}` is {}, not a list; `[{i}]` cannot follow it",
                        other.describe()
                    ))
                }
            };
            let n = items.len();
            let item = items.get_mut(*i).ok_or_else(|| {
                if n == 0 {
                    format!("`{here}` is empty; index {i} does not exist")
                } else {
                    format!(
                        "`{here}` has {n} elements; index {i} is out of range (0 to {})",
                        n - 1
                    )
                }
            })?;
            set(item, rest, value, &format!("{walked}[{i}]"), mk)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_split_at_the_first_equals() {
        assert_eq!(
            split_override("name=\"a=b\"").unwrap(),
            ("name".to_string(), "\"a=b\"".to_string())
        );
        assert!(split_override("seed").is_err());
        assert!(split_override("=3").is_err());
    }

    #[test]
    fn paths_parse() {
        assert_eq!(
            parse_path("practices[0].kernel.threshold").unwrap(),
            vec![
                Seg::Field("practices".into()),
                Seg::Index(0),
                Seg::Field("kernel".into()),
                Seg::Field("threshold".into())
            ]
        );
        assert_eq!(parse_path("seed").unwrap(), vec![Seg::Field("seed".into())]);
        assert!(parse_path("").is_err());
        assert!(parse_path("a..b").is_err());
        assert!(parse_path("a[x]").is_err());
        assert!(parse_path("a[1").is_err());
        assert!(parse_path("a b").is_err());
    }
}
