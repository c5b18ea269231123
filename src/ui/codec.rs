//! How resources travel from the server's HTML to the client: JSON, exactly as Leptos' default
//! `JsonSerdeCodec` writes it, but read back with [`crate::wire::from_slice`], the reader server
//! function answers already use. One JSON reader instead of two keeps the WASM smaller.

use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON for [`leptos::prelude::Resource`]: `Resource::<T, Json>::new_with_options(…)`.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = crate::wire::BadJson;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, crate::wire::BadJson> {
        crate::wire::from_slice(val.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::Json;
    use leptos::server::codee::{Decoder, Encoder, string::JsonSerdeCodec};

    #[test]
    fn writes_what_the_default_codec_writes_and_reads_it_back() {
        let value: Result<Vec<(String, i64)>, String> = Ok(vec![("café ✓".into(), -3)]);
        let text = <Json as Encoder<_>>::encode(&value).unwrap();
        assert_eq!(text, <JsonSerdeCodec as Encoder<_>>::encode(&value).unwrap());
        let back: Result<Vec<(String, i64)>, String> = <Json as Decoder<_>>::decode(&text).unwrap();
        assert_eq!(back, value);
    }
}
