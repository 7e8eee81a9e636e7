//! A page's key: the hash of everything its bytes are made from — its
//! template context and the theme's templates — so that a rebuild keeps a
//! page whose key has not changed instead of rendering it again.
//!
//! The context is hashed as serde sees it, each value tagged and each string
//! and sequence preceded by its length (no JSON, no escaping): two contexts
//! with the same key are the same values, so tera renders the same bytes
//! from them.

use serde::ser::{self, Serialize, Serializer as _};

use crate::output::KeyHasher;

/// The key of a page rendered with `template` of a theme whose templates
/// hash to `theme`, from `context`; none when the context cannot be
/// serialised (tera would refuse it too).
pub(super) fn page_key(theme: u128, template: &str, context: &impl Serialize) -> Option<u128> {
    let mut h = KeyHasher::new();
    h.add(&theme.to_le_bytes());
    Hash(&mut h).serialize_str(template).ok()?;
    context.serialize(Hash(&mut h)).ok()?;
    Some(h.finish())
}

/// The hash of `value` as a page's key takes it in: a part of many pages'
/// contexts, hashed once (see [`super::ListItem`]). None when it cannot be
/// serialised.
pub(crate) fn digest(value: &impl Serialize) -> Option<u128> {
    let mut h = KeyHasher::new();
    value.serialize(Hash(&mut h)).ok()?;
    Some(h.finish())
}

/// Feeds what serde serialises into a hasher. It is the one serialiser of
/// contexts that says it is not human-readable: a value that is a part of
/// many contexts (a list item) may then serialise its [`digest`] instead.
struct Hash<'a>(&'a mut KeyHasher);

/// What cannot be hashed (a custom `Serialize` that fails).
#[derive(Debug)]
struct Unhashable(String);

impl std::fmt::Display for Unhashable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unhashable {}

impl ser::Error for Unhashable {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Unhashable(msg.to_string())
    }
}

// One tag per kind of value, so that no two different values feed the same bytes.
const BOOL: u8 = 1;
const INT: u8 = 2;
const UINT: u8 = 3;
const FLOAT: u8 = 4;
const CHAR: u8 = 5;
const STR: u8 = 6;
const BYTES: u8 = 7;
const NONE: u8 = 8;
const SOME: u8 = 9;
const UNIT: u8 = 10;
const VARIANT: u8 = 11;
const NEWTYPE: u8 = 12;
const SEQ: u8 = 13;
const MAP: u8 = 14;
const STRUCT: u8 = 15;
const END: u8 = 16;
const INT128: u8 = 17;
const UINT128: u8 = 18;
const UNIT_STRUCT: u8 = 19;
const NEWTYPE_VARIANT: u8 = 20;
const TUPLE_VARIANT: u8 = 21;
const STRUCT_VARIANT: u8 = 22;

impl Hash<'_> {
    fn tag(&mut self, tag: u8) {
        self.0.add(&[tag]);
    }

    fn text(&mut self, tag: u8, s: &str) {
        let mut head = [tag; 9];
        head[1..].copy_from_slice(&(s.len() as u64).to_le_bytes());
        self.0.add(&head);
        self.0.add(s.as_bytes());
    }

    fn again(&mut self) -> Hash<'_> {
        Hash(self.0)
    }
}

type Done = Result<(), Unhashable>;

impl<'a> ser::Serializer for Hash<'a> {
    type Ok = ();
    type Error = Unhashable;
    type SerializeSeq = Hash<'a>;
    type SerializeTuple = Hash<'a>;
    type SerializeTupleStruct = Hash<'a>;
    type SerializeTupleVariant = Hash<'a>;
    type SerializeMap = Hash<'a>;
    type SerializeStruct = Hash<'a>;
    type SerializeStructVariant = Hash<'a>;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(mut self, v: bool) -> Done {
        self.tag(BOOL);
        self.0.add(&[u8::from(v)]);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Done {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(mut self, v: i64) -> Done {
        self.tag(INT);
        self.0.add(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_i128(mut self, v: i128) -> Done {
        self.tag(INT128);
        self.0.add(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Done {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(mut self, v: u64) -> Done {
        self.tag(UINT);
        self.0.add(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_u128(mut self, v: u128) -> Done {
        self.tag(UINT128);
        self.0.add(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Done {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(mut self, v: f64) -> Done {
        self.tag(FLOAT);
        self.0.add(&v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(mut self, v: char) -> Done {
        self.tag(CHAR);
        self.0.add(&u32::from(v).to_le_bytes());
        Ok(())
    }
    fn serialize_str(mut self, v: &str) -> Done {
        self.text(STR, v);
        Ok(())
    }
    fn serialize_bytes(mut self, v: &[u8]) -> Done {
        self.tag(BYTES);
        self.0.add(&(v.len() as u64).to_le_bytes());
        self.0.add(v);
        Ok(())
    }
    fn serialize_none(mut self) -> Done {
        self.tag(NONE);
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(mut self, value: &T) -> Done {
        self.tag(SOME);
        value.serialize(self)
    }
    fn serialize_unit(mut self) -> Done {
        self.tag(UNIT);
        Ok(())
    }
    fn serialize_unit_struct(mut self, name: &'static str) -> Done {
        self.text(UNIT_STRUCT, name);
        Ok(())
    }
    fn serialize_unit_variant(mut self, _: &'static str, _: u32, variant: &'static str) -> Done {
        self.text(VARIANT, variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        mut self,
        _: &'static str,
        value: &T,
    ) -> Done {
        self.tag(NEWTYPE);
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Done {
        self.text(NEWTYPE_VARIANT, variant);
        value.serialize(self)
    }
    fn serialize_seq(mut self, _: Option<usize>) -> Result<Self, Unhashable> {
        self.tag(SEQ);
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, Unhashable> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Self, Unhashable> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Unhashable> {
        self.text(TUPLE_VARIANT, variant);
        self.tag(SEQ);
        Ok(self)
    }
    fn serialize_map(mut self, _: Option<usize>) -> Result<Self, Unhashable> {
        self.tag(MAP);
        Ok(self)
    }
    fn serialize_struct(mut self, _: &'static str, _: usize) -> Result<Self, Unhashable> {
        self.tag(STRUCT);
        Ok(self)
    }
    fn serialize_struct_variant(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Unhashable> {
        self.text(STRUCT_VARIANT, variant);
        self.tag(STRUCT);
        Ok(self)
    }
}

/// The elements of a sequence or tuple, each self-delimiting, then an end tag.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Hash<'_> {
            type Ok = ();
            type Error = Unhashable;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
                value.serialize(self.again())
            }
            fn end(mut self) -> Done {
                self.tag(END);
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Hash<'_> {
    type Ok = ();
    type Error = Unhashable;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Done {
        key.serialize(self.again())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
        value.serialize(self.again())
    }
    fn end(mut self) -> Done {
        self.tag(END);
        Ok(())
    }
}

/// A struct's fields by name, then an end tag (a field left out,
/// `skip_serializing_if`, is not there).
macro_rules! named {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Hash<'_> {
            type Ok = ();
            type Error = Unhashable;
            fn serialize_field<T: ?Sized + Serialize>(&mut self, name: &'static str, value: &T) -> Done {
                self.text(STR, name);
                value.serialize(self.again())
            }
            fn end(mut self) -> Done {
                self.tag(END);
                Ok(())
            }
        }
    )*};
}

named!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize)]
    struct Page<'a> {
        title: &'a str,
        tags: Vec<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        summary: Option<&'a str>,
        fields: BTreeMap<&'a str, f64>,
    }

    fn key(p: &Page) -> u128 {
        page_key(1, "page.html", p).expect("it hashes")
    }

    #[test]
    fn equal_contexts_have_equal_keys_and_any_difference_shows() {
        let base = || Page {
            title: "Procurement",
            tags: vec!["energy", "waste"],
            summary: None,
            fields: BTreeMap::from([("savings", 1.5)]),
        };
        let k = key(&base());
        assert_eq!(k, key(&base()));
        let changed = [
            Page {
                title: "Procurement.",
                ..base()
            },
            // The same letters, split another way.
            Page {
                tags: vec!["energyw", "aste"],
                ..base()
            },
            Page {
                tags: vec!["energy", "waste", ""],
                ..base()
            },
            Page {
                summary: Some(""),
                ..base()
            },
            Page {
                fields: BTreeMap::from([("savings", 1.25)]),
                ..base()
            },
        ];
        for p in &changed {
            assert_ne!(key(p), k, "{:?}", p.title);
        }
        assert_ne!(page_key(2, "page.html", &base()), Some(k), "another theme");
        assert_ne!(
            page_key(1, "list.html", &base()),
            Some(k),
            "another template"
        );
    }
}
