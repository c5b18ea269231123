//! The JSON every answer is read from on the client: server function results, errors, resources
//! in the page and pushed events. Written by `serde_json` as before; read by a small reader that
//! first parses the text into a [`Json`] tree (one copy of the parsing code) and then hands the
//! tree to serde. `serde_json`'s reader is generic over the target type, so every wire type
//! carried its own copy of the parser, and its error messages pull float formatting into the
//! WASM. Only what the server writes is needed: no floats (every number on the wire is an integer).

use leptos::server_fn::Bytes;
use leptos::server_fn::codec::Post;
use leptos::server_fn::{ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::Serialize;

/// Server function answers (and [`crate::error::AppError`]) as JSON, read with [`from_slice`].
pub type Wire = Post<WireJson>;

/// The encoding behind [`Wire`]: `serde_json` out, [`from_slice`] in.
pub struct WireJson;

impl ContentType for WireJson {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for WireJson {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for WireJson {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for WireJson {
    type Error = BadJson;

    fn decode(bytes: Bytes) -> Result<T, BadJson> {
        from_slice(&bytes)
    }
}

/// The text is not JSON, or not the JSON of the type asked for. No detail: the client only
/// ever says "the answer couldn't be read", and a message would bring formatting code along.
#[derive(Debug, PartialEq, Eq)]
pub struct BadJson;

impl std::fmt::Display for BadJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid JSON")
    }
}

impl std::error::Error for BadJson {}

impl de::Error for BadJson {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        BadJson
    }
}

/// Reads a `T` from JSON text.
pub fn from_slice<T: DeserializeOwned>(text: &[u8]) -> Result<T, BadJson> {
    T::deserialize(parse(text)?)
}

/// A parsed JSON value.
#[derive(Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// Non-negative integers.
    UInt(u64),
    /// Negative integers.
    Int(i64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Parses one JSON value filling all of `text` (whitespace around it allowed).
pub fn parse(text: &[u8]) -> Result<Json, BadJson> {
    let mut p = Parser { s: text, i: 0 };
    let v = p.value(0)?;
    p.ws();
    if p.i == text.len() { Ok(v) } else { Err(BadJson) }
}

/// Deeper nesting than this is refused (the server's answers are a few levels deep).
const MAX_DEPTH: u32 = 64;

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn next(&mut self) -> Result<u8, BadJson> {
        let b = *self.s.get(self.i).ok_or(BadJson)?;
        self.i += 1;
        Ok(b)
    }

    fn eat(&mut self, lit: &[u8]) -> Result<(), BadJson> {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            Ok(())
        } else {
            Err(BadJson)
        }
    }

    fn value(&mut self, depth: u32) -> Result<Json, BadJson> {
        if depth > MAX_DEPTH {
            return Err(BadJson);
        }
        self.ws();
        match self.s.get(self.i).copied().ok_or(BadJson)? {
            b'n' => self.eat(b"null").map(|_| Json::Null),
            b't' => self.eat(b"true").map(|_| Json::Bool(true)),
            b'f' => self.eat(b"false").map(|_| Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if !self.close(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.close(b']') {
                            break;
                        }
                        self.comma()?;
                    }
                }
                Ok(Json::Array(items))
            }
            b'{' => {
                self.i += 1;
                let mut entries = Vec::new();
                if !self.close(b'}') {
                    loop {
                        self.ws();
                        if self.s.get(self.i) != Some(&b'"') {
                            return Err(BadJson);
                        }
                        let key = self.string()?;
                        self.ws();
                        if self.next()? != b':' {
                            return Err(BadJson);
                        }
                        entries.push((key, self.value(depth + 1)?));
                        if self.close(b'}') {
                            break;
                        }
                        self.comma()?;
                    }
                }
                Ok(Json::Object(entries))
            }
            _ => self.integer(),
        }
    }

    /// Skips whitespace and `end` if it is next.
    fn close(&mut self, end: u8) -> bool {
        self.ws();
        let found = self.s.get(self.i) == Some(&end);
        self.i += usize::from(found);
        found
    }

    fn comma(&mut self) -> Result<(), BadJson> {
        if self.next()? == b',' { Ok(()) } else { Err(BadJson) }
    }

    fn integer(&mut self) -> Result<Json, BadJson> {
        let negative = self.s.get(self.i) == Some(&b'-');
        self.i += usize::from(negative);
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        let digits = &self.s[start..self.i];
        // JSON forbids leading zeros; a fraction or exponent is a float, which we never send.
        if digits.is_empty() || (digits.len() > 1 && digits[0] == b'0') || matches!(self.s.get(self.i), Some(b'.' | b'e' | b'E')) {
            return Err(BadJson);
        }
        let mut n: u64 = 0;
        for d in digits {
            n = n.checked_mul(10).and_then(|n| n.checked_add(u64::from(d - b'0'))).ok_or(BadJson)?;
        }
        if !negative {
            Ok(Json::UInt(n))
        } else if n == 0 {
            Ok(Json::UInt(0))
        } else {
            // -(n - 1) - 1 reaches i64::MIN without overflowing.
            let m = i64::try_from(n - 1).map_err(|_| BadJson)?;
            Ok(Json::Int(-m - 1))
        }
    }

    fn hex4(&mut self) -> Result<u32, BadJson> {
        let mut v = 0;
        for _ in 0..4 {
            let d = char::from(self.next()?).to_digit(16).ok_or(BadJson)?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    /// A string starting at the opening quote.
    fn string(&mut self) -> Result<String, BadJson> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.next()? {
                b'"' => break,
                b'\\' => {
                    let c = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                self.eat(b"\\u")?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(BadJson);
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code).ok_or(BadJson)?
                        }
                        _ => return Err(BadJson),
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                b if b < 0x20 => return Err(BadJson),
                b => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|_| BadJson)
    }
}

impl<'de> de::Deserializer<'de> for Json {
    type Error = BadJson;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        match self {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(b),
            Json::UInt(n) => visitor.visit_u64(n),
            Json::Int(n) => visitor.visit_i64(n),
            Json::Str(s) => visitor.visit_string(s),
            Json::Array(items) => visitor.visit_seq(de::value::SeqDeserializer::new(items.into_iter())),
            Json::Object(entries) => visitor.visit_map(de::value::MapDeserializer::new(entries.into_iter())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        match self {
            Json::Null => visitor.visit_none(),
            v => visitor.visit_some(v),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, BadJson> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, BadJson> {
        match self {
            // `"variant"`: a unit variant; `{"variant": value}`: a variant with data.
            Json::Str(s) => visitor.visit_enum(s.into_deserializer()),
            Json::Object(mut entries) if entries.len() == 1 => {
                let (variant, value) = entries.pop().ok_or(BadJson)?;
                visitor.visit_enum(Variant { variant, value })
            }
            _ => Err(BadJson),
        }
    }

    // What a type asks for is all it gets (serde_json would also take, say, an array for a
    // struct): each wire type then carries only the one branch it uses, not every `visit_*`.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, BadJson> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        match self {
            Json::Object(entries) => visitor.visit_map(de::value::MapDeserializer::new(entries.into_iter())),
            _ => Err(BadJson),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        match self {
            Json::Array(items) => visitor.visit_seq(de::value::SeqDeserializer::new(items.into_iter())),
            _ => Err(BadJson),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, BadJson> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        match self {
            Json::Str(s) => visitor.visit_string(s),
            _ => Err(BadJson),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        match self {
            Json::Bool(b) => visitor.visit_bool(b),
            _ => Err(BadJson),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        match self {
            Json::UInt(n) => visitor.visit_u64(n),
            Json::Int(n) => visitor.visit_i64(n),
            _ => Err(BadJson),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BadJson> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 f32 f64 char bytes byte_buf unit unit_struct tuple_struct
    }
}

impl IntoDeserializer<'_, BadJson> for Json {
    type Deserializer = Json;

    fn into_deserializer(self) -> Json {
        self
    }
}

/// `{"variant": value}`.
struct Variant {
    variant: String,
    value: Json,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = BadJson;
    type Variant = Json;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Json), BadJson> {
        let variant = seed.deserialize(de::value::StringDeserializer::<BadJson>::new(self.variant))?;
        Ok((variant, self.value))
    }
}

impl<'de> de::VariantAccess<'de> for Json {
    type Error = BadJson;

    fn unit_variant(self) -> Result<(), BadJson> {
        match self {
            Json::Null => Ok(()),
            _ => Err(BadJson),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, BadJson> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, BadJson> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], visitor: V) -> Result<V::Value, BadJson> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    /// Reads `value`'s JSON back with both readers: the same value.
    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
        let text = serde_json::to_vec(value).unwrap();
        let ours: T = from_slice(&text).unwrap();
        assert_eq!(&ours, value, "{}", String::from_utf8_lossy(&text));
        assert_eq!(ours, serde_json::from_slice::<T>(&text).unwrap());
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Unit,
        Newtype(i64),
        Tuple(u8, String),
        Struct { a: Option<bool>, b: Vec<u32> },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Everything {
        text: String,
        min: i64,
        max: u64,
        neg: i32,
        maybe: Option<Box<Everything>>,
        shapes: Vec<Shape>,
        map: BTreeMap<String, u16>,
        #[serde(default)]
        defaulted: u8,
    }

    #[test]
    fn reads_what_serde_json_writes() {
        let e = Everything {
            text: "café \"quoted\" \\ / \n\t\u{1} ✓ 𝄞".into(),
            min: i64::MIN,
            max: u64::MAX,
            neg: -42,
            maybe: Some(Box::new(Everything {
                text: String::new(),
                min: 0,
                max: 0,
                neg: 0,
                maybe: None,
                shapes: vec![],
                map: BTreeMap::new(),
                defaulted: 3,
            })),
            shapes: vec![Shape::Unit, Shape::Newtype(-1), Shape::Tuple(7, "x".into()), Shape::Struct { a: None, b: vec![1, 2] }],
            map: [("k".to_string(), 9)].into(),
            defaulted: 0,
        };
        round_trip(&e);
        round_trip(&Some(vec![(1u8, -1i16)]));
        round_trip(&Option::<u8>::None);

        #[derive(Debug, PartialEq, Deserialize)]
        struct Small {
            a: u8,
        }
        assert_eq!(from_slice::<Small>(br#"{"x": {"y": [1, null]}, "a": 1}"#), Ok(Small { a: 1 }), "unknown fields are skipped");
    }

    #[test]
    fn reads_the_wire_types() {
        use crate::domain::{sample_job, JobDetail, JobEvent, JobEventKind, JobState, Order, PlaceReceipt, ServerEvent};
        use crate::error::AppError;
        use crate::faults::{FaultAction, FaultRule, FaultState};
        let order: Order = serde_json::from_value(serde_json::json!({
            "id": "019ab0c4-5a2e-7cc1-8b0e-0a1b2c3d4e5f", "number": 1042, "customer": "Ada", "item": "Tea",
            "note": "", "quantity": 2, "unit_price": 150, "total": 300, "status": "draft", "starred": false,
            "position": -1, "version": 3, "created_at": 0, "updated_at": 0
        }))
        .unwrap();
        round_trip(&order);
        round_trip(&vec![order.clone(), order.clone()]);
        round_trip(&Ok::<Order, AppError>(order.clone()));
        round_trip(&AppError::Conflict { message: "changed".into(), current: Box::new(order.clone()) });
        round_trip(&AppError::Validation { field: crate::domain::Field::Quantity, message: "too many".into() });
        round_trip(&AppError::internal());
        let job = sample_job(JobState::Running, 1);
        round_trip(&job);
        round_trip(&ServerEvent::Job(job.clone()));
        round_trip(&ServerEvent::Order(order.clone()));
        round_trip(&ServerEvent::OrderRemoved(order.id));
        round_trip(&PlaceReceipt { job: job.clone(), order: order.clone() });
        let events = vec![JobEvent { seq: 1, at: 5, kind: JobEventKind::Submitted, step: Some(crate::domain::JobStep::Payment), message: "m".into() }];
        round_trip(&JobDetail { job, order, events });
        round_trip(&FaultState {
            rules: vec![FaultRule { kind: None, action: FaultAction::Delay { ms: 5 }, count: 2 }],
            latency_ms: 250,
        });
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in ["", "nul", "[1,]", "{\"a\" 1}", "01", "1.5", "1e3", "\"\\x\"", "\"\u{1}\"", "[1] 2", "{\"a\":1,}", "18446744073709551616"] {
            assert_eq!(parse(bad.as_bytes()), Err(BadJson), "{bad:?}");
        }
        assert_eq!(parse(b" [ ] "), Ok(Json::Array(vec![])));
        assert_eq!(parse(b"-9223372036854775808"), Ok(Json::Int(i64::MIN)));
        assert!(parse(b"-9223372036854775809").is_err());
        assert_eq!(parse(br#""\ud834\udd1e""#), Ok(Json::Str("𝄞".into())));
        assert!(from_slice::<u8>(b"256").is_err());
        assert!(from_slice::<String>(b"1").is_err());
    }
}
