//! A serde deserializer over the spanned tree that reports every problem, not just the first.
//!
//! Type mismatches, unknown fields and unknown variants are recorded with their position and
//! field path, and a placeholder ("hole") of the requested type is fed to serde so reading
//! goes on. Errors that serde raises itself (a missing required field, a `Deserialize` impl
//! rejecting a value such as a bad `YearMonth`) abort the pass; they are recorded where they
//! happened, the tree is repaired there (the missing field added as a hole, the bad value
//! replaced by one), and the pass is rerun. Diagnostics are deduplicated across passes, so
//! one call reports everything. Placeholders are never seen by callers: any diagnostic means
//! no value is returned.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use super::spanned::{Field, Node, Pos, Value};

/// The string a placeholder string holds: a valid month, so `YearMonth` accepts it too.
const HOLE_STR: &str = "2000-01";
/// Reruns allowed (each repairs one serde-raised error).
const MAX_PASSES: usize = 300;
/// Field paths whose positions are remembered; later ones fall back to their ancestors.
const MAX_PATHS: usize = 1 << 20;

/// A problem found while deserializing: where, which field, what.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub pos: Pos,
    pub path: String,
    pub message: String,
}

/// What deserializing a tree gives: the value when nothing was wrong, every problem, and the
/// position of every field path that was present (to place later semantic errors).
pub struct Outcome<T> {
    pub value: Option<T>,
    pub problems: Vec<Problem>,
    pub paths: BTreeMap<String, Pos>,
}

/// Deserializes `root` into `T`, collecting every problem.
pub fn from_tree<T: DeserializeOwned>(root: &Node) -> Outcome<T> {
    let mut ctx = Ctx::default();
    for _ in 0..MAX_PASSES {
        ctx.paths.borrow_mut().clear();
        let r = child(PhantomData::<T>, Src::Node(root), String::new(), &ctx);
        match r {
            Ok(v) => {
                let problems = ctx.problems.into_inner();
                let paths = ctx.paths.into_inner();
                return Outcome {
                    value: problems.is_empty().then_some(v),
                    problems,
                    paths,
                };
            }
            Err(_) => {
                let pending = ctx.pending.borrow_mut().take();
                let Some((id, op)) = pending else { break };
                let fix = ctx.fixes.entry(id).or_default();
                let progressed = match op {
                    FixOp::Replace => !std::mem::replace(&mut fix.replace, true),
                    FixOp::Add(f) => {
                        let new = !fix.add.contains(&f);
                        if new {
                            fix.add.push(f);
                        }
                        new
                    }
                };
                if !progressed {
                    break;
                }
            }
        }
    }
    let mut problems = ctx.problems.into_inner();
    if problems.is_empty() {
        problems.push(Problem {
            pos: root.pos,
            path: String::new(),
            message: "could not be read (too many errors); fix the ones above".into(),
        });
    }
    Outcome {
        value: None,
        problems,
        paths: ctx.paths.into_inner(),
    }
}

#[derive(Debug)]
pub enum DeError {
    Custom(String),
    MissingField(&'static str),
    /// Already recorded; passes through the callers unchanged.
    Reported,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeError::Custom(m) => f.write_str(m),
            DeError::MissingField(n) => write!(f, "missing field `{n}`"),
            DeError::Reported => f.write_str("reported"),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::Custom(msg.to_string())
    }
    fn missing_field(field: &'static str) -> Self {
        DeError::MissingField(field)
    }
}

#[derive(Default)]
struct Fix {
    replace: bool,
    add: Vec<&'static str>,
}

enum FixOp {
    Replace,
    Add(&'static str),
}

#[derive(Default)]
struct Ctx {
    problems: RefCell<Vec<Problem>>,
    seen: RefCell<BTreeSet<Problem>>,
    fixes: BTreeMap<u32, Fix>,
    pending: RefCell<Option<(u32, FixOp)>>,
    paths: RefCell<BTreeMap<String, Pos>>,
}

impl Ctx {
    fn report(&self, pos: Pos, path: &str, message: String) {
        let p = Problem {
            pos,
            path: path.to_string(),
            message,
        };
        if self.seen.borrow_mut().insert(p.clone()) {
            self.problems.borrow_mut().push(p);
        }
    }

    fn pend(&self, id: u32, op: FixOp) {
        let mut p = self.pending.borrow_mut();
        if p.is_none() {
            *p = Some((id, op));
        }
    }

    fn fix(&self, id: u32) -> Option<&Fix> {
        self.fixes.get(&id)
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// Where a value comes from: a tree node, or a placeholder of whatever type is asked for.
#[derive(Clone, Copy)]
enum Src<'t> {
    Node(&'t Node),
    Hole,
}

/// Deserializes one child and records serde-raised errors at it (see the module doc).
fn child<'de, 't, S: DeserializeSeed<'de>>(
    seed: S,
    src: Src<'t>,
    path: String,
    ctx: &Ctx,
) -> Result<S::Value, DeError> {
    let r = seed.deserialize(De {
        src,
        path: path.clone(),
        ctx,
    });
    match r {
        Err(DeError::Custom(m)) => {
            if let Src::Node(n) = src {
                ctx.report(n.pos, &path, m);
                ctx.pend(n.id, FixOp::Replace);
            }
            Err(DeError::Reported)
        }
        Err(DeError::MissingField(f)) => {
            if let Src::Node(n) = src {
                ctx.report(
                    n.pos,
                    &join(&path, f),
                    format!("required field `{f}` is missing"),
                );
                ctx.pend(n.id, FixOp::Add(f));
            }
            Err(DeError::Reported)
        }
        r => r,
    }
}

#[derive(Clone, Copy)]
enum IntKind {
    I8,
    I16,
    I32,
    I64,
    I128,
    U8,
    U16,
    U32,
    U64,
    U128,
}

impl IntKind {
    fn range(self) -> (i128, i128) {
        match self {
            IntKind::I8 => (i8::MIN.into(), i8::MAX.into()),
            IntKind::I16 => (i16::MIN.into(), i16::MAX.into()),
            IntKind::I32 => (i32::MIN.into(), i32::MAX.into()),
            IntKind::I64 => (i64::MIN.into(), i64::MAX.into()),
            IntKind::I128 => (i128::MIN, i128::MAX),
            IntKind::U8 => (0, u8::MAX.into()),
            IntKind::U16 => (0, u16::MAX.into()),
            IntKind::U32 => (0, u32::MAX.into()),
            IntKind::U64 => (0, u64::MAX.into()),
            IntKind::U128 => (0, i128::MAX),
        }
    }

    /// Feeds `v` (already checked to be in range) to the visitor.
    fn visit<'de, V: Visitor<'de>>(self, v: i128, visitor: V) -> Result<V::Value, DeError> {
        match self {
            IntKind::I128 => visitor.visit_i128(v),
            IntKind::U128 => visitor.visit_u128(v as u128),
            IntKind::U8 | IntKind::U16 | IntKind::U32 | IntKind::U64 => visitor.visit_u64(v as u64),
            _ => visitor.visit_i64(v as i64),
        }
    }
}

/// What the `Deserialize` impl asked for.
#[derive(Clone, Copy)]
enum Hint {
    Any,
    Bool,
    Int(IntKind),
    Float,
    Char,
    Str,
    Bytes,
    Option,
    Unit,
    UnitStruct(&'static str),
    Newtype,
    Seq,
    Tuple(usize),
    Map,
    Struct(&'static str, &'static [&'static str]),
    Enum(&'static str, &'static [&'static str]),
    Ident,
    Ignored,
}

impl Hint {
    fn expected(self) -> String {
        match self {
            Hint::Any | Hint::Ignored => "a value".into(),
            Hint::Bool => "`true` or `false`".into(),
            Hint::Int(k) => {
                let (lo, hi) = k.range();
                format!("an integer from {lo} to {hi}")
            }
            Hint::Float => "a number".into(),
            Hint::Char => "a character in single quotes".into(),
            Hint::Str | Hint::Bytes | Hint::Ident => "a string in double quotes".into(),
            Hint::Option => "`Some(...)` or `None`".into(),
            Hint::Unit => "`()`".into(),
            Hint::UnitStruct(n) => format!("`{n}`"),
            Hint::Newtype => "a value".into(),
            Hint::Seq => "a list `[...]`".into(),
            Hint::Tuple(n) => format!("a tuple of {n} values `(...)`"),
            Hint::Map => "a map `{...}`".into(),
            Hint::Struct(n, f) => format!("`{n}(...)` with fields {}", list(f)),
            Hint::Enum(_, v) => format!("one of {}", list(v)),
        }
    }
}

struct De<'c, 't> {
    src: Src<'t>,
    path: String,
    ctx: &'c Ctx,
}

impl<'c, 't> De<'c, 't> {
    fn sub(&self, src: Src<'t>, path: String) -> De<'c, 't> {
        De {
            src,
            path,
            ctx: self.ctx,
        }
    }

    fn dispatch<'de, V: Visitor<'de>>(self, hint: Hint, v: V) -> Result<V::Value, DeError> {
        let node = match self.src {
            Src::Node(n) if !self.ctx.fix(n.id).is_some_and(|f| f.replace) => n,
            _ => return self.hole(hint, v),
        };
        let mut paths = self.ctx.paths.borrow_mut();
        if paths.len() < MAX_PATHS {
            paths.entry(self.path.clone()).or_insert(node.pos);
        }
        drop(paths);
        match (hint, &node.value) {
            (Hint::Any, _) => self.any(node, v),
            (Hint::Ignored, _) => v.visit_unit(),
            (Hint::Bool, Value::Bool(b)) => v.visit_bool(*b),
            (Hint::Int(k), Value::Int(i)) => {
                let (lo, hi) = k.range();
                if (lo..=hi).contains(i) {
                    k.visit(*i, v)
                } else {
                    self.mismatch(node, hint, v)
                }
            }
            (Hint::Float, Value::Float(f)) => v.visit_f64(*f),
            (Hint::Float, Value::Int(i)) => v.visit_f64(*i as f64),
            (Hint::Char, Value::Char(c)) => v.visit_char(*c),
            (Hint::Str | Hint::Ident, Value::Str(s)) => v.visit_str(s),
            (Hint::Ident, Value::Ident(s)) => v.visit_str(s),
            (Hint::Bytes, Value::Str(s)) => v.visit_bytes(s.as_bytes()),
            (Hint::Option, Value::Ident(n)) if n == "None" => v.visit_none(),
            (Hint::Option, Value::Tuple(Some(n), items)) if n == "Some" && items.len() == 1 => {
                let inner = self.sub(Src::Node(&items[0]), self.path.clone());
                v.visit_some(inner)
            }
            (Hint::Unit, Value::Unit) => v.visit_unit(),
            (Hint::UnitStruct(_), Value::Unit) => v.visit_unit(),
            (Hint::UnitStruct(n), Value::Ident(m)) if n == m => v.visit_unit(),
            (Hint::Newtype, Value::Tuple(_, items)) if items.len() == 1 => {
                let inner = self.sub(Src::Node(&items[0]), self.path.clone());
                v.visit_newtype_struct(inner)
            }
            (Hint::Newtype, _) => v.visit_newtype_struct(self),
            (Hint::Seq, Value::List(items)) => {
                v.visit_seq(self.seq(items.iter().map(Src::Node).collect()))
            }
            (Hint::Tuple(_), Value::List(items) | Value::Tuple(None, items)) => {
                v.visit_seq(self.seq(items.iter().map(Src::Node).collect()))
            }
            (Hint::Map, Value::Map(entries)) => v.visit_map(MapAcc {
                entries: entries.iter(),
                value: None,
                path: self.path.clone(),
                ctx: self.ctx,
            }),
            (Hint::Struct(name, fields), value) => {
                let fs: &[Field] = match value {
                    Value::Struct(n, fs) if n.as_deref().is_none_or(|n| n == name) => fs,
                    Value::Unit => &[],
                    Value::Ident(n) if n == name => &[],
                    Value::Tuple(Some(n), items) if n == name && items.is_empty() => &[],
                    _ => return self.mismatch(node, hint, v),
                };
                self.structure(node, fs, fields, v)
            }
            (Hint::Enum(name, variants), value) => self.enumeration(node, value, name, variants, v),
            _ => self.mismatch(node, hint, v),
        }
    }

    fn mismatch<'de, V: Visitor<'de>>(
        self,
        node: &Node,
        hint: Hint,
        v: V,
    ) -> Result<V::Value, DeError> {
        self.ctx.report(
            node.pos,
            &self.path,
            format!(
                "expected {}, got {}",
                hint.expected(),
                node.value.describe()
            ),
        );
        self.hole(hint, v)
    }

    fn seq(&self, items: Vec<Src<'t>>) -> SeqAcc<'c, 't> {
        SeqAcc {
            items: items.into_iter().enumerate(),
            path: self.path.clone(),
            ctx: self.ctx,
        }
    }

    /// A struct (or struct variant) node: reads its fields, then reports missing ones here.
    fn structure<'de, V: Visitor<'de>>(
        self,
        node: &'t Node,
        fs: &'t [Field],
        allowed: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        // Popped from the end: reversed so repaired fields come in declaration order.
        let mut extra = self
            .ctx
            .fix(node.id)
            .map(|f| f.add.clone())
            .unwrap_or_default();
        extra.reverse();
        v.visit_map(StructAcc {
            fields: fs.iter(),
            extra,
            allowed: Some(allowed),
            seen: Vec::new(),
            value: None,
            path: self.path.clone(),
            ctx: self.ctx,
        })
    }

    fn enumeration<'de, V: Visitor<'de>>(
        self,
        node: &'t Node,
        value: &'t Value,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        let (variant, content) = match value {
            Value::Ident(n) => (n, Content::Unit),
            Value::Tuple(Some(n), items) => (n, Content::Items(items)),
            Value::Struct(Some(n), fs) => (n, Content::Fields(fs)),
            _ => return self.mismatch(node, Hint::Enum(name, variants), v),
        };
        if !variants.contains(&variant.as_str()) {
            self.ctx.report(
                node.pos,
                &self.path,
                format!(
                    "unknown variant `{variant}` of {name}; allowed: {}",
                    list(variants)
                ),
            );
            return self.hole(Hint::Enum(name, variants), v);
        }
        v.visit_enum(EnumAcc {
            variant,
            content,
            node: Some(node),
            de: self,
        })
    }

    fn any<'de, V: Visitor<'de>>(self, node: &'t Node, v: V) -> Result<V::Value, DeError> {
        match &node.value {
            Value::Bool(b) => v.visit_bool(*b),
            Value::Int(i) => match i64::try_from(*i) {
                Ok(x) => v.visit_i64(x),
                Err(_) => v.visit_i128(*i),
            },
            Value::Float(f) => v.visit_f64(*f),
            Value::Char(c) => v.visit_char(*c),
            Value::Ident(s) if s == "None" => v.visit_none(),
            Value::Str(s) | Value::Ident(s) => v.visit_str(s),
            Value::Unit => v.visit_unit(),
            Value::List(items) | Value::Tuple(_, items) => {
                v.visit_seq(self.seq(items.iter().map(Src::Node).collect()))
            }
            Value::Map(entries) => v.visit_map(MapAcc {
                entries: entries.iter(),
                value: None,
                path: self.path.clone(),
                ctx: self.ctx,
            }),
            Value::Struct(_, fs) => v.visit_map(StructAcc {
                fields: fs.iter(),
                extra: Vec::new(),
                allowed: None,
                seen: Vec::new(),
                value: None,
                path: self.path.clone(),
                ctx: self.ctx,
            }),
        }
    }

    /// Feeds a placeholder of the asked-for type.
    fn hole<'de, V: Visitor<'de>>(self, hint: Hint, v: V) -> Result<V::Value, DeError> {
        match hint {
            Hint::Any | Hint::Unit | Hint::UnitStruct(_) | Hint::Ignored => v.visit_unit(),
            Hint::Bool => v.visit_bool(false),
            Hint::Int(k) => k.visit(0, v),
            Hint::Float => v.visit_f64(0.0),
            Hint::Char => v.visit_char('?'),
            Hint::Str | Hint::Ident => v.visit_str(HOLE_STR),
            Hint::Bytes => v.visit_bytes(b""),
            Hint::Option => v.visit_none(),
            Hint::Newtype => v.visit_newtype_struct(self.sub(Src::Hole, self.path.clone())),
            Hint::Seq => v.visit_seq(self.seq(Vec::new())),
            Hint::Tuple(n) => v.visit_seq(self.seq(vec![Src::Hole; n])),
            Hint::Map => v.visit_map(MapAcc {
                entries: [].iter(),
                value: None,
                path: self.path.clone(),
                ctx: self.ctx,
            }),
            Hint::Struct(_, fields) => v.visit_map(StructAcc {
                fields: [].iter(),
                extra: fields.iter().rev().copied().collect(),
                allowed: None,
                seen: Vec::new(),
                value: None,
                path: self.path.clone(),
                ctx: self.ctx,
            }),
            Hint::Enum(name, variants) => match variants.first() {
                Some(first) => v.visit_enum(EnumAcc {
                    variant: first,
                    content: Content::Hole,
                    node: None,
                    de: self,
                }),
                None => Err(DeError::Custom(format!("{name} has no variants"))),
            },
        }
    }
}

macro_rules! forward {
    ($($method:ident => $hint:expr),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
            self.dispatch($hint, v)
        })*
    };
}

impl<'de> de::Deserializer<'de> for De<'_, '_> {
    type Error = DeError;

    forward! {
        deserialize_any => Hint::Any,
        deserialize_bool => Hint::Bool,
        deserialize_i8 => Hint::Int(IntKind::I8),
        deserialize_i16 => Hint::Int(IntKind::I16),
        deserialize_i32 => Hint::Int(IntKind::I32),
        deserialize_i64 => Hint::Int(IntKind::I64),
        deserialize_i128 => Hint::Int(IntKind::I128),
        deserialize_u8 => Hint::Int(IntKind::U8),
        deserialize_u16 => Hint::Int(IntKind::U16),
        deserialize_u32 => Hint::Int(IntKind::U32),
        deserialize_u64 => Hint::Int(IntKind::U64),
        deserialize_u128 => Hint::Int(IntKind::U128),
        deserialize_f32 => Hint::Float,
        deserialize_f64 => Hint::Float,
        deserialize_char => Hint::Char,
        deserialize_str => Hint::Str,
        deserialize_string => Hint::Str,
        deserialize_bytes => Hint::Bytes,
        deserialize_byte_buf => Hint::Bytes,
        deserialize_option => Hint::Option,
        deserialize_unit => Hint::Unit,
        deserialize_seq => Hint::Seq,
        deserialize_map => Hint::Map,
        deserialize_identifier => Hint::Ident,
        deserialize_ignored_any => Hint::Ignored,
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        self.dispatch(Hint::UnitStruct(name), v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        self.dispatch(Hint::Newtype, v)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, DeError> {
        self.dispatch(Hint::Tuple(len), v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, DeError> {
        self.dispatch(Hint::Tuple(len), v)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        self.dispatch(Hint::Struct(name, fields), v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        self.dispatch(Hint::Enum(name, variants), v)
    }
}

struct SeqAcc<'c, 't> {
    items: std::iter::Enumerate<std::vec::IntoIter<Src<'t>>>,
    path: String,
    ctx: &'c Ctx,
}

impl<'de> SeqAccess<'de> for SeqAcc<'_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            None => Ok(None),
            Some((i, src)) => child(seed, src, format!("{}[{i}]", self.path), self.ctx).map(Some),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct StructAcc<'c, 't> {
    fields: std::slice::Iter<'t, Field>,
    /// Fields added as placeholders (missing ones being repaired, or a whole hole struct).
    extra: Vec<&'static str>,
    /// Known field names; `None` accepts any (self-describing reads).
    allowed: Option<&'static [&'static str]>,
    seen: Vec<&'t str>,
    value: Option<(Src<'t>, String)>,
    path: String,
    ctx: &'c Ctx,
}

impl<'de> MapAccess<'de> for StructAcc<'_, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        for f in self.fields.by_ref() {
            let path = join(&self.path, &f.name);
            if let Some(allowed) = self.allowed {
                if !allowed.contains(&f.name.as_str()) {
                    self.ctx.report(
                        f.pos,
                        &path,
                        format!(
                            "unknown field `{}`; allowed fields: {}",
                            f.name,
                            list(allowed)
                        ),
                    );
                    continue;
                }
            }
            if self.seen.contains(&f.name.as_str()) {
                self.ctx.report(
                    f.pos,
                    &path,
                    format!("field `{}` is given more than once", f.name),
                );
                continue;
            }
            self.seen.push(&f.name);
            self.value = Some((Src::Node(&f.value), path));
            return seed
                .deserialize(f.name.as_str().into_deserializer())
                .map(Some);
        }
        while let Some(name) = self.extra.pop() {
            if self.seen.contains(&name) {
                continue;
            }
            self.value = Some((Src::Hole, join(&self.path, name)));
            return seed.deserialize(name.into_deserializer()).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (src, path) = self.value.take().unwrap_or((Src::Hole, self.path.clone()));
        child(seed, src, path, self.ctx)
    }
}

struct MapAcc<'c, 't> {
    entries: std::slice::Iter<'t, (Node, Node)>,
    value: Option<(&'t Node, String)>,
    path: String,
    ctx: &'c Ctx,
}

impl<'de> MapAccess<'de> for MapAcc<'_, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((k, v)) = self.entries.next() else {
            return Ok(None);
        };
        let key_text = match &k.value {
            Value::Str(s) | Value::Ident(s) => s.clone(),
            other => other.describe(),
        };
        self.value = Some((v, format!("{}[{key_text:?}]", self.path)));
        child(seed, Src::Node(k), self.path.clone(), self.ctx).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some((node, path)) => child(seed, Src::Node(node), path, self.ctx),
            None => child(seed, Src::Hole, self.path.clone(), self.ctx),
        }
    }
}

enum Content<'t> {
    Unit,
    Items(&'t [Node]),
    Fields(&'t [Field]),
    Hole,
}

struct EnumAcc<'c, 't> {
    variant: &'t str,
    content: Content<'t>,
    /// The variant's node; `None` for a placeholder.
    node: Option<&'t Node>,
    de: De<'c, 't>,
}

impl<'de, 'c, 't> EnumAccess<'de> for EnumAcc<'c, 't> {
    type Error = DeError;
    type Variant = EnumAcc<'c, 't>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), DeError> {
        let v = seed.deserialize(self.variant.into_deserializer())?;
        Ok((v, self))
    }
}

impl EnumAcc<'_, '_> {
    /// Records a variant written in the wrong shape (`Fixed` for `Fixed(0.1)`, say).
    fn wrong_shape(&self, shape: &str) -> bool {
        match (self.node, &self.content) {
            (_, Content::Hole) | (None, _) => false,
            (Some(n), _) => {
                self.de.ctx.report(
                    n.pos,
                    &self.de.path,
                    format!("`{}` is written {shape}", self.variant),
                );
                true
            }
        }
    }
}

impl<'de> VariantAccess<'de> for EnumAcc<'_, '_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        if !matches!(self.content, Content::Unit) {
            self.wrong_shape(&format!("`{}` alone, without parentheses", self.variant));
        }
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        let path = self.de.path.clone();
        match self.content {
            Content::Items(items) if items.len() == 1 => {
                child(seed, Src::Node(&items[0]), path, self.de.ctx)
            }
            _ => {
                self.wrong_shape(&format!("with one value, as `{}(...)`", self.variant));
                child(seed, Src::Hole, path, self.de.ctx)
            }
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, DeError> {
        match self.content {
            Content::Items(items) if items.len() == len => {
                v.visit_seq(self.de.seq(items.iter().map(Src::Node).collect()))
            }
            _ => {
                self.wrong_shape(&format!("with {len} values, as `{}(a, b)`", self.variant));
                v.visit_seq(self.de.seq(vec![Src::Hole; len]))
            }
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        let fs: Option<&[Field]> = match self.content {
            Content::Fields(fs) => Some(fs),
            Content::Items([]) | Content::Unit if self.node.is_some() => {
                // `Complete()` or a bare name: every field is missing; report them as such.
                Some(&[])
            }
            _ => None,
        };
        match (fs, self.node) {
            (Some(fs), Some(node)) => self.de.structure(node, fs, fields, v),
            _ => {
                self.wrong_shape(&format!(
                    "with named fields, as `{}({})`",
                    self.variant,
                    fields
                        .iter()
                        .map(|f| format!("{f}: ..."))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                self.de.hole(Hint::Struct("", fields), v)
            }
        }
    }
}
